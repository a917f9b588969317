/**
 * A per-key token bucket in this process's memory. Each replica limits on its own, so behind N
 * replicas a device gets at most N times the rate: enough to stop a runaway client, which is
 * the point; a shared limit would need Redis or the database.
 */
export interface RateLimiter {
  /** Takes one token for `key`: `{ ok: true }`, or how long until one is free. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number };
}

export interface RateLimitOptions {
  /** Tokens added per minute. */
  perMinute: number;
  /** Bucket size: how many requests may come at once. */
  burst: number;
  /** Clock in ms (tests pass their own). */
  now?: () => number;
  /** Buckets kept at most; the least recently used go first (a full bucket carries no state). */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** A token-bucket limiter: `burst` requests at once, refilled at `perMinute`. */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
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
            tokens: Math.min(options.burst, previous.tokens + (t - previous.at) * perMs),
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
      const waitMs = perMs > 0 ? (1 - bucket.tokens) / perMs : 60_000;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    },
  };
}
