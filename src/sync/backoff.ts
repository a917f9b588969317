/** Retry delays for sync: exponential backoff with jitter, and the server's `Retry-After`. */

export interface BackoffOptions {
  /** First delay, ms. */
  baseMs: number;
  /** Largest delay, ms. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 5 * 60_000 };

/**
 * The delay before retry number `attempt` (0 = first retry): `base · 2^attempt`, capped, with
 * "equal jitter" (a random point in its upper half) so many phones coming back online at once
 * spread out, yet each delay is at least as long as the previous one's maximum.
 */
export function backoffDelay(
  attempt: number,
  random: () => number,
  options = DEFAULT_BACKOFF,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** `Retry-After` as ms from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(0, date - now) : null;
}

/** The wait before the next try: the backoff, or longer when the server asked (capped at an hour). */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | null,
  random: () => number,
  options = DEFAULT_BACKOFF,
): number {
  const backoff = backoffDelay(attempt, random, options);
  return retryAfterMs === null ? backoff : Math.max(backoff, Math.min(retryAfterMs, 3_600_000));
}
