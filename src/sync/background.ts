/**
 * Sync from the service worker's `sync` event (Background Sync, tag `fishlens-outbox`), which the
 * browser fires once connectivity returns even if no Fishlens tab is open. It rejects when the
 * outbox could not be emptied, so the browser schedules the event again with its own backoff.
 * worker/sw.ts hooks it up:
 *   self.addEventListener('sync', (event) => {
 *     if (event.tag === BACKGROUND_SYNC_TAG) event.waitUntil(syncOutboxInBackground());
 *   });
 */
import { openPredictionLog } from '../storage/prediction-log';
import { httpIngestApi, type IngestApi } from './api';
import { createSyncEngine, type SyncOutcome } from './engine';

/** Background Sync tag the app registers when a sync could not finish. */
export const BACKGROUND_SYNC_TAG = 'fishlens-outbox';

/** One sync run without a page; resolves when the outbox is empty, rejects to be retried. */
export async function syncOutboxInBackground(
  api: IngestApi = httpIngestApi(),
): Promise<SyncOutcome> {
  const log = await openPredictionLog();
  try {
    const engine = createSyncEngine({
      log,
      api,
      // No timers here: when this run fails the browser fires the event again later.
      timers: { setTimeout: () => null, clearTimeout: () => {} },
      now: Date.now,
      random: Math.random,
      isOnline: () => true,
      onChange: () => {
        const channel = new BroadcastChannel('fishlens-log');
        channel.postMessage('changed');
        channel.close();
      },
    });
    const outcome = await engine.sync();
    engine.dispose();
    if (outcome.kind !== 'done')
      throw new Error('The outbox could not be sent yet; the browser will retry.');
    return outcome;
  } finally {
    log.close();
  }
}
