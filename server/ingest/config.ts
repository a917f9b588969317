/**
 * Environment variables of device registration and prediction ingest. Spread into the app's
 * config schema (server/config.ts) so one place lists and validates every variable.
 */
import { z } from 'zod';

const count = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ message: 'expected a number' })
    .int('expected a whole number')
    .min(min, `expected at least ${min}`)
    .max(max, `expected at most ${max}`)
    .default(fallback);

/** Ingest limits; the defaults suit phones syncing a day's predictions in a few batches. */
export const ingestConfigShape = {
  /** Largest accepted ingest body; the app keeps its batches at or under 1 000 000 bytes. */
  INGEST_MAX_BODY_BYTES: count(1024, 64 * 1024 * 1024, 1_048_576),
  /** Ingest requests per minute per device (token bucket refill rate). */
  INGEST_RATE_PER_MINUTE: count(1, 1_000_000, 120),
  /** Ingest requests a device may send at once (token bucket size). */
  INGEST_RATE_BURST: count(1, 1_000_000, 30),
  /** Device registrations per minute per client address. */
  DEVICE_REGISTRATIONS_PER_MINUTE: count(1, 1_000_000, 30),
  /**
   * Requests with a device token the server does not know, per minute per client address; past
   * it the address gets 429 without a database look-up. A phone whose server lost its database
   * sends one such request before it registers again.
   */
  UNKNOWN_TOKENS_PER_MINUTE: count(1, 1_000_000, 10),
};
