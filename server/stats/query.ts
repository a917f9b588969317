/**
 * The SQL behind GET /api/v1/stats: four grouped queries over `predictions` in a time window
 * (by the time the photo was classified on the phone, `created_at`), assembled per model version.
 * Every number is a count the database made; the server only divides.
 */
import {
  CONFIDENCE_BINS,
  ratio,
  type StatsResponse,
  type VersionStats,
} from '../../shared/stats.js';
import type { Database } from '../db/index.js';

/** The window and optional model of one stats request; `to` is exclusive. */
export interface StatsWindow {
  model: string | undefined;
  from: Date;
  to: Date;
}

// $1 model name or NULL for all, $2 from (inclusive), $3 to (exclusive). Rows whose version was
// not a number when versions were still text (see migration 0004) have no version to report.
const WHERE = `($1::text IS NULL OR model_name = $1) AND created_at >= $2 AND created_at < $3
  AND model_version IS NOT NULL`;

const TOTALS_SQL = `
SELECT model_name AS model, model_version AS version,
       count(*)::int AS predictions,
       count(*) FILTER (WHERE not_sure)::int AS "notSure"
FROM predictions WHERE ${WHERE}
GROUP BY model_name, model_version
ORDER BY model_name, model_version`;

const PER_DAY_SQL = `
SELECT model_name AS model, model_version AS version,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
       top_label AS species, count(*)::int AS count
FROM predictions WHERE ${WHERE}
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4`;

// width_bucket puts 1.0 into bin CONFIDENCE_BINS + 1; LEAST folds it into the last bin.
const CONFIDENCE_SQL = `
SELECT model_name AS model, model_version AS version,
       LEAST(width_bucket(top_probability, 0, 1, ${CONFIDENCE_BINS}), ${CONFIDENCE_BINS}) AS bin,
       count(*)::int AS count
FROM predictions WHERE ${WHERE}
GROUP BY 1, 2, 3`;

const FEEDBACK_SQL = `
SELECT model_name AS model, model_version AS version, top_label AS species,
       count(*)::int AS "withFeedback",
       count(*) FILTER (WHERE feedback_label <> top_label)::int AS disagreements
FROM predictions WHERE ${WHERE} AND feedback_label IS NOT NULL
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3`;

interface Keyed {
  model: string;
  version: number;
}

/**
 * Runs the stats queries for one window and returns the API answer. The queries share one
 * read-only REPEATABLE READ transaction, so they all count the same snapshot of the table even
 * while devices keep syncing: the per-day counts of a version always add up to its total.
 */
export async function queryStats(db: Database, window: StatsWindow): Promise<StatsResponse> {
  const params = [window.model ?? null, window.from.toISOString(), window.to.toISOString()];
  const { totals, perDay, confidence, feedback } = await db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return {
      totals: await tx.query<Keyed & { predictions: number; notSure: number }>(TOTALS_SQL, params),
      perDay: await tx.query<Keyed & { day: string; species: string; count: number }>(
        PER_DAY_SQL,
        params,
      ),
      confidence: await tx.query<Keyed & { bin: number; count: number }>(CONFIDENCE_SQL, params),
      feedback: await tx.query<
        Keyed & { species: string; withFeedback: number; disagreements: number }
      >(FEEDBACK_SQL, params),
    };
  });

  const key = (row: Keyed) => `${row.model}\u0000${row.version}`;
  const versions = new Map<string, VersionStats>();
  for (const row of totals.rows) {
    versions.set(key(row), {
      model: row.model,
      version: row.version,
      predictions: row.predictions,
      notSure: row.notSure,
      notSureRate: ratio(row.notSure, row.predictions),
      perDay: [],
      confidence: {
        binStarts: Array.from({ length: CONFIDENCE_BINS }, (_, i) => i / CONFIDENCE_BINS),
        counts: new Array<number>(CONFIDENCE_BINS).fill(0),
      },
      feedback: { withFeedback: 0, disagreements: 0, disagreementRate: null, perSpecies: [] },
    });
  }
  // Same snapshot, same filter: every row below belongs to a version listed in `totals`.
  for (const row of perDay.rows) {
    versions.get(key(row))?.perDay.push({ day: row.day, species: row.species, count: row.count });
  }
  for (const row of confidence.rows) {
    const stats = versions.get(key(row));
    // width_bucket answers 0 for values below 0, which the table's CHECK rules out.
    if (stats) stats.confidence.counts[Math.max(1, Number(row.bin)) - 1]! += row.count;
  }
  for (const row of feedback.rows) {
    const stats = versions.get(key(row));
    if (!stats) continue;
    stats.feedback.perSpecies.push({
      species: row.species,
      withFeedback: row.withFeedback,
      disagreements: row.disagreements,
      disagreementRate: ratio(row.disagreements, row.withFeedback),
    });
    stats.feedback.withFeedback += row.withFeedback;
    stats.feedback.disagreements += row.disagreements;
  }
  for (const stats of versions.values()) {
    stats.feedback.disagreementRate = ratio(
      stats.feedback.disagreements,
      stats.feedback.withFeedback,
    );
  }

  return {
    model: window.model ?? null,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    versions: [...versions.values()],
  };
}
