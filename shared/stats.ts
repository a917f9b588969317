/**
 * The drift statistics API (`GET /api/v1/stats`, admin only): what the field predictions look
 * like per model version over a time window. Shared by the server (which validates and answers)
 * and the dashboard (which plots). Free of Node and DOM imports.
 */
import { z } from 'zod';
import { EARLIEST_CREATED_AT, storableText } from './api.js';
import { packVersionSchema } from './pack.js';

/** Default window when `from` is omitted: the 30 days before `to`. */
export const DEFAULT_STATS_DAYS = 30;
/** Longest window one request may ask for, so a request cannot scan the whole table forever. */
export const MAX_STATS_DAYS = 366;
/** The confidence histogram splits [0, 1] into this many equal bins; 1.0 falls into the last. */
export const CONFIDENCE_BINS = 10;

/** The last instant PostgreSQL and a four-digit ISO year can both hold. */
const LATEST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

// Validated like ingest's createdAt: what passes is a time PostgreSQL accepts. No prediction is
// older than 2020, so a window before that is a mistake, not a question.
const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).refine((text) => {
  const time = Date.parse(text);
  return time >= EARLIEST_CREATED_AT && time <= LATEST_INSTANT;
}, 'expected a time from 2020-01-01 on');

/** Query string of GET /api/v1/stats; `to` is exclusive, dates mean midnight UTC. */
export const statsQuerySchema = z.strictObject({
  model: storableText(1, 128).optional().describe('Model name; all models when omitted.'),
  from: instant
    .optional()
    .describe(`Start (inclusive); default ${DEFAULT_STATS_DAYS} days before \`to\`.`),
  to: instant.optional().describe('End (exclusive); default now.'),
});
export type StatsQuery = z.infer<typeof statsQuerySchema>;

const count = z.number().int().min(0);
const rate = z
  .number()
  .min(0)
  .max(1)
  .nullable()
  .describe('null when there is nothing to divide by');

/** One (UTC day, species) cell: predictions whose top label was `species`. */
export const dailySpeciesCountSchema = z.object({ day: z.iso.date(), species: z.string(), count });

/** Users' corrections for one predicted species. */
export const speciesDisagreementSchema = z.object({
  species: z.string().describe('The species the model predicted (top label).'),
  withFeedback: count,
  disagreements: count.describe('Feedback naming another species than the prediction.'),
  disagreementRate: rate,
});

/** Everything about one model version in the window. */
export const versionStatsSchema = z.object({
  model: z.string(),
  version: packVersionSchema,
  predictions: count,
  notSure: count,
  notSureRate: rate,
  perDay: z.array(dailySpeciesCountSchema),
  confidence: z.object({
    /** Lower edges of the bins: 0, 0.1, …, 0.9. */
    binStarts: z.array(z.number()),
    counts: z.array(count),
  }),
  feedback: z.object({
    withFeedback: count,
    disagreements: count,
    disagreementRate: rate,
    perSpecies: z.array(speciesDisagreementSchema),
  }),
});
export type VersionStats = z.infer<typeof versionStatsSchema>;

export const statsResponseSchema = z.object({
  model: z.string().nullable(),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  versions: z.array(versionStatsSchema).describe('Ordered by model name, then version number.'),
});
export type StatsResponse = z.infer<typeof statsResponseSchema>;

/** `part / whole`, or null when `whole` is 0. */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}
