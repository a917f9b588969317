/**
 * The ingest API's batch limits, apart from its zod schemas (shared/api.ts) so the app's sync code
 * can use them without loading zod with the first screen.
 */

/** At most this many predictions in one batch. */
export const MAX_BATCH_ENTRIES = 500;
/** The client keeps a serialised batch at or under this many bytes (the server allows a little more). */
export const MAX_BATCH_BYTES = 1_000_000;
