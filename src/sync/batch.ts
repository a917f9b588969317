/** Turning outbox entries into ingest batches within the API's limits. */
import type { PredictionPayload } from '../../shared/api';
import { MAX_BATCH_BYTES, MAX_BATCH_ENTRIES } from '../../shared/api-limits';
import type { OutboxEntry } from '../storage/prediction-log';

/** The part of an entry the server receives: never the thumbnail or local state. */
export function toPayload(entry: OutboxEntry): PredictionPayload {
  return {
    id: entry.id,
    createdAt: entry.createdAt,
    model: entry.model,
    top: entry.top,
    notSure: entry.notSure,
    latencyMs: entry.latencyMs,
    backend: entry.backend,
    appVersion: entry.appVersion,
    ...(entry.feedback ? { feedback: { label: entry.feedback.label } } : {}),
  };
}

const encoder = new TextEncoder();
const ENVELOPE_BYTES = encoder.encode('{"predictions":[]}').length;

/**
 * The longest prefix of `entries` whose request body stays within `maxEntries` and `maxBytes`;
 * always at least one entry (one too large for any batch is refused by the server and
 * dead-lettered, rather than blocking the outbox).
 */
export function takeBatch(
  entries: OutboxEntry[],
  maxEntries = MAX_BATCH_ENTRIES,
  maxBytes = MAX_BATCH_BYTES,
): PredictionPayload[] {
  const batch: PredictionPayload[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const entry of entries) {
    if (batch.length >= maxEntries) break;
    const payload = toPayload(entry);
    const size = encoder.encode(JSON.stringify(payload)).length + (batch.length > 0 ? 1 : 0);
    if (batch.length > 0 && bytes + size > maxBytes) break;
    batch.push(payload);
    bytes += size;
  }
  return batch;
}
