/**
 * Token-bucket rate limits that hold across replicas: the buckets live in PostgreSQL (one
 * UNLOGGED row per key, taken with one atomic upsert), so behind the HPA's 2–10 replicas a
 * client gets the configured rate, not N times it. A bucket in this process's memory with the
 * same limits stands in front of the shared one: a flood is refused by it without a query, so a
 * flood costs the database at most one query per replica per token the limit allows. A request
 * the shared bucket refuses has still spent its local token, so a client refused elsewhere is
 * slowed here too, never let through faster than the limit.
 *
 * The price is one upsert per request, a few times a `SELECT 1`: small beside the batch insert it
 * guards.
 */
import type { Database } from '../db/index.js';

/** `{ ok: true }`, or how long until a token is free. */
export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Takes one token for `key`. */
  take(key: string): Promise<Verdict>;
}

export interface RateLimitOptions {
  /** Tokens added per minute. */
  perMinute: number;
  /** Bucket size: how many requests may come at once. */
  burst: number;
  /** Clock in ms (tests pass their own). */
  now?: () => number;
  /** Buckets kept in memory at most; the least recently used go first (a full bucket carries no state). */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const retryAfter = (tokens: number, perMs: number) =>
  Math.max(1, Math.ceil((perMs > 0 ? (1 - tokens) / perMs : 60_000) / 1000));

/** A token-bucket limiter in this process's memory: `burst` requests at once, refilled at `perMinute`. */
export function createLocalRateLimiter(options: RateLimitOptions): {
  take(key: string): Verdict;
} {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  const perMs = options.perMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  return {
    take(key) {
      const t = now();
      const previous = buckets.get(key);
      const bucket: Bucket = previous
        ? {
            tokens: Math.min(options.burst, previous.tokens + Math.max(0, t - previous.at) * perMs),
            at: t,
          }
        : { tokens: options.burst, at: t };
      // Re-insert so Map order is least-recently-used first.
      buckets.delete(key);
      if (buckets.size >= maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: retryAfter(bucket.tokens, perMs) };
    },
  };
}

// $1 key, $2 burst, $3 tokens per ms, $4 now (ms since the epoch, the server's clock). The upsert
// takes the row lock, so concurrent takes on one key from several replicas are serialised by
// PostgreSQL and never overspend. ON CONFLICT DO UPDATE has no FROM, hence REFILLED three times.
const REFILLED = `LEAST($2::float8, b.tokens + GREATEST(0,
  $4::float8 - extract(epoch FROM b.updated_at)::float8 * 1000) * $3::float8)`;
const TAKE_SQL = `
INSERT INTO rate_limit_buckets AS b (key, tokens, allowed, updated_at)
VALUES ($1, $2::float8 - 1, true, to_timestamp($4::float8 / 1000))
ON CONFLICT (key) DO UPDATE SET
  tokens = CASE WHEN ${REFILLED} >= 1 THEN ${REFILLED} - 1 ELSE ${REFILLED} END,
  allowed = ${REFILLED} >= 1,
  updated_at = to_timestamp($4::float8 / 1000)
RETURNING tokens, allowed`;

/** How often each process deletes buckets idle long enough to be full again (same as absent). */
const SWEEP_EVERY_MS = 60_000;

/**
 * A limiter shared by every replica through the `rate_limit_buckets` table, keyed by
 * `scope:key`; refused locally first when this process alone has seen the key exhaust its burst.
 */
export function createSharedRateLimiter(
  db: Database,
  scope: string,
  options: RateLimitOptions,
): RateLimiter {
  const now = options.now ?? Date.now;
  const perMs = options.perMinute / 60_000;
  const local = createLocalRateLimiter(options);
  // A bucket untouched for this long has refilled completely, so its row can go.
  const idleMs = Math.ceil(options.burst / perMs) + 1_000;
  let lastSweep = now();
  return {
    async take(key) {
      const early = local.take(key);
      if (!early.ok) return early;
      const t = now();
      const { rows } = await db.query<{ tokens: number; allowed: boolean }>(TAKE_SQL, [
        `${scope}:${key}`,
        options.burst,
        perMs,
        t,
      ]);
      if (t - lastSweep > SWEEP_EVERY_MS) {
        lastSweep = t;
        // Best effort: a failed sweep only leaves rows for the next one.
        db.query(
          `DELETE FROM rate_limit_buckets WHERE key LIKE $1 AND updated_at < to_timestamp($2::float8 / 1000)`,
          [`${scope}:%`, t - idleMs],
        ).catch(() => {});
      }
      const row = rows[0]!;
      return row.allowed
        ? { ok: true }
        : { ok: false, retryAfterSeconds: retryAfter(row.tokens, perMs) };
    },
  };
}
