/**
 * The ingest API (`POST /api/v1/devices`, `POST /api/v1/predictions/batch`,
 * `POST /api/v1/predictions/feedback`): request and response schemas shared by the browser's
 * sync code and the server. Free of Node and DOM imports.
 */
import { z } from 'zod';
import { MAX_BATCH_ENTRIES } from './api-limits.js';
import { packVersionSchema } from './pack.js';

export { MAX_BATCH_ENTRIES } from './api-limits.js';
/** Earliest `createdAt` the server accepts (no phone ran Fishlens before this). */
export const EARLIEST_CREATED_AT = Date.parse('2020-01-01T00:00:00Z');
/** How far in the future `createdAt` may be, for phones whose clocks run ahead. */
export const MAX_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

// NUL is not allowed in PostgreSQL text, and a lone surrogate is not valid UTF-8 (nor valid in
// jsonb): both are rejected here so they end as a 400/reject, never as a database error.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A string PostgreSQL can store verbatim, `min`..`max` characters long. */
export function storableText(min: number, max: number) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !UNSTORABLE.test(s), 'contains NUL or an unpaired surrogate');
}

const uuid = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i,
    'expected a UUID',
  );

const probability = z.number().min(0).max(1); // zod numbers are finite: NaN and ±Infinity fail

/**
 * The version of the pack that made a prediction: a positive integer. A string of digits ("3")
 * is accepted too and turned into the number, because phones logged versions as strings before
 * they were numbers end to end, and those entries may still wait in an outbox; refusing them
 * would move real predictions to the dead letters.
 */
const predictionVersion = z
  .union([
    packVersionSchema,
    z
      .string()
      .regex(/^[0-9]{1,10}$/, 'expected a version number (1, 2, 3…)')
      .transform(Number)
      .pipe(packVersionSchema),
  ])
  .describe(
    'The pack version, a positive integer. A string of digits ("3") is also accepted and stored as the number, for entries logged by older app versions.',
  );

/** How far over 1 a top-k's probabilities may add up: float rounding of the softmax. */
const PROBABILITY_SUM_TOLERANCE = 1e-6;

/**
 * The most probable labels, most probable first: probabilities in 0–1, never rising, adding up
 * to at most 1, each label once. The server stores `top[0]` as the prediction, so an unsorted
 * list would store the wrong species.
 */
const topSchema = z
  .array(z.strictObject({ label: storableText(1, 128), probability }))
  .min(1)
  .max(5)
  .superRefine((top, ctx) => {
    let sum = 0;
    const labels = new Set<string>();
    top.forEach((entry, i) => {
      sum += entry.probability;
      if (i > 0 && entry.probability > top[i - 1]!.probability) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'probability'],
          message: 'must not be higher than the one before (most probable first)',
        });
      }
      if (labels.has(entry.label)) {
        ctx.addIssue({ code: 'custom', path: [i, 'label'], message: 'names a label twice' });
      }
      labels.add(entry.label);
    });
    if (sum > 1 + PROBABILITY_SUM_TOLERANCE) {
      ctx.addIssue({ code: 'custom', message: `probabilities add up to ${sum}, more than 1` });
    }
  });

/**
 * An ISO 8601 instant with its offset, handed on as the same instant in UTC: every string that
 * passes is one PostgreSQL's timestamptz accepts (it refuses offsets past ±15:59, which ISO
 * allows), and the sanity check and the database see the same instant.
 */
export const instantSchema = z.iso.datetime({ offset: true }).transform((text, ctx) => {
  const time = Date.parse(text);
  if (Number.isNaN(time)) {
    ctx.addIssue({ code: 'custom', message: 'not a date and time' });
    return z.NEVER;
  }
  return new Date(time).toISOString();
});

/** One prediction as the device logged it. `createdAt` bounds depend on the server's clock. */
export const predictionSchema = z.strictObject({
  id: uuid,
  createdAt: instantSchema,
  model: z.strictObject({ name: storableText(1, 128), version: predictionVersion }),
  top: topSchema,
  notSure: z.boolean(),
  latencyMs: z.number().min(0).max(600_000),
  backend: storableText(1, 32),
  appVersion: storableText(1, 64),
  feedback: z.strictObject({ label: storableText(1, 128) }).optional(),
});
/** One prediction as a device sends it (`model.version` may still be a digit string, see above). */
export type PredictionPayload = z.input<typeof predictionSchema>;
/** One prediction after validation, as the server stores it (`model.version` a number). */
export type Prediction = z.output<typeof predictionSchema>;

/** The batch envelope; entries are validated one by one so one bad entry never sinks the rest. */
export const batchRequestSchema = z.strictObject({
  predictions: z.array(z.unknown()).min(1).max(MAX_BATCH_ENTRIES),
});

/** One refused entry of a batch: the device moves it to its dead letters. */
export const rejectedEntrySchema = z.object({
  /** The entry's `id` as sent (truncated), or null when it had no string id. */
  id: z.string().nullable(),
  /** Position of the entry in the batch. */
  index: z.number().int(),
  reason: z.string(),
});
export type RejectedEntry = z.infer<typeof rejectedEntrySchema>;

/** The answer to a batch: every valid id is acknowledged (accepted now or already stored). */
export const batchResponseSchema = z.object({
  accepted: z.number().int().min(0),
  duplicates: z.number().int().min(0),
  rejected: z.array(rejectedEntrySchema),
});
export type BatchResponse = z.infer<typeof batchResponseSchema>;

/** `POST /api/v1/devices` answer: the token is shown once; the server keeps only its hash. */
export const deviceResponseSchema = z.object({ deviceId: uuid, token: z.string().min(1) });
export type DeviceResponse = z.infer<typeof deviceResponseSchema>;

/** Feedback given after a prediction was synced: an idempotent update of its stored row. */
export const feedbackRequestSchema = z.strictObject({
  feedback: z
    .array(z.strictObject({ id: uuid, label: storableText(1, 128) }))
    .min(1)
    .max(MAX_BATCH_ENTRIES),
});

/** The answer to feedback: how many rows changed, and the ids the server does not know. */
export const feedbackResponseSchema = z.object({
  updated: z.number().int().min(0),
  /** Ids this device has no stored prediction for. */
  unknown: z.array(z.string()),
});
export type FeedbackResponse = z.infer<typeof feedbackResponseSchema>;

/** Whether `createdAt` lies between 2020 and a day after `now` (a sane device clock). */
export function createdAtIsSane(createdAt: string, now: number): boolean {
  const t = Date.parse(createdAt);
  return Number.isFinite(t) && t >= EARLIEST_CREATED_AT && t <= now + MAX_CLOCK_SKEW_MS;
}
