/**
 * The app's prediction log and its sync, wired to the browser: `recordPrediction` stores a
 * finished classification durably; sync runs on start, when the network comes back, when the
 * app becomes visible, after each prediction, and from Background Sync where the browser has it.
 * Changes are announced to this tab's screens and, through a BroadcastChannel, to other tabs.
 */
import { version as APP_VERSION } from '../../package.json';
import type { Label } from '../../shared/pack';
import type { Classification } from '../classifier/types';
import {
  openPredictionLog,
  type OutboxEntry,
  type PredictionLog,
  type RemovedPrediction,
} from '../storage/prediction-log';
import { httpIngestApi } from './api';
import { BACKGROUND_SYNC_TAG } from './background';
import { createSyncEngine, type SyncEngine, type SyncOutcome } from './engine';

export type { OutboxEntry, PredictionLog, RemovedPrediction } from '../storage/prediction-log';
export type { SyncOutcome } from './engine';

const CHANNEL = 'fishlens-log';

let logPromise: Promise<PredictionLog> | null = null;
let engine: SyncEngine | null = null;
let started = false;
const listeners = new Set<() => void>();
let channel: BroadcastChannel | null = null;

/** The prediction log of this origin, opened once. */
export function predictionLog(): Promise<PredictionLog> {
  logPromise ??= openPredictionLog();
  return logPromise;
}

function notify(fromOtherTab = false): void {
  for (const listener of listeners) listener();
  if (!fromOtherTab) channel?.postMessage('changed');
}

/** Calls `listener` whenever the log changed in this tab or another; returns the unsubscribe. */
export function onLogChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Stores a finished classification in the outbox (resolved once IndexedDB committed it), with the
 * species of its pack, then starts a sync if online. The photo never leaves the device; only the
 * small thumbnail is kept.
 */
export async function recordPrediction(
  classification: Classification,
  labels: readonly Label[],
): Promise<OutboxEntry> {
  const log = await predictionLog();
  const { thumbnail } = classification;
  const entry = await log.add(
    {
      id: crypto.randomUUID(),
      createdAt: new Date().toISOString(),
      model: { name: classification.model.name, version: classification.model.version },
      top: classification.top.slice(0, 5).map(({ label, probability }) => ({ label, probability })),
      notSure: classification.notSure,
      ...(classification.decision.verdict === 'unknown' ? { unknown: true as const } : {}),
      latencyMs: Math.max(0, classification.latencyMs),
      backend: classification.backend,
      appVersion: APP_VERSION,
      ...(thumbnail ? { thumbnail } : {}),
    },
    labels,
  );
  notify();
  void requestSync();
  return entry;
}

/** Records the user's correction from History and sends it when possible. */
export async function giveFeedback(id: string, label: string): Promise<void> {
  const log = await predictionLog();
  await log.setFeedback(id, label, new Date().toISOString());
  notify();
  void requestSync();
}

/**
 * Deletes predictions from this device (History). One not sent yet is discarded: it never reaches
 * the server. One already sent stays there. Returns what was deleted, for `undoDelete`.
 */
export async function deletePredictions(ids: string[]): Promise<RemovedPrediction[]> {
  const removed = await (await predictionLog()).remove(ids);
  notify();
  return removed;
}

/** Puts deleted predictions back as they were; those not sent yet are sent again. */
export async function undoDelete(removed: RemovedPrediction[]): Promise<void> {
  await (await predictionLog()).restore(removed);
  notify();
  void requestSync();
}

/** Deletes the whole History of this device; predictions not sent yet are discarded. */
export async function clearHistory(): Promise<{ removed: number; unsent: number }> {
  const cleared = await (await predictionLog()).clear();
  notify();
  return cleared;
}

/** Puts a dead letter back into the outbox and tries again. */
export async function retryDeadLetter(id: string): Promise<void> {
  await (await predictionLog()).retryDeadLetter(id);
  notify();
  void requestSync({ force: true });
}

async function registerBackgroundSync(): Promise<void> {
  try {
    const registration = (await navigator.serviceWorker?.ready) as
      (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined;
    await registration?.sync?.register(BACKGROUND_SYNC_TAG);
  } catch {
    /* no Background Sync here: the online/visibility triggers cover it while the app is open */
  }
}

/** Starts a sync (or joins the one running); `force` skips a backoff wait (user asked, or online again). */
export async function requestSync(options: { force?: boolean } = {}): Promise<SyncOutcome | null> {
  if (!engine) return null;
  try {
    const outcome = await engine.sync(options);
    if (outcome.kind !== 'done') void registerBackgroundSync();
    return outcome;
  } catch (error) {
    console.error('sync failed', error);
    return null;
  }
}

/** When the next automatic retry is due, if one is scheduled. */
export function nextRetryAt(): number | null {
  return engine?.nextRetryAt() ?? null;
}

/** Wires the triggers; call once when the app starts. Returns a function that unwires them. */
export function startSync(): () => void {
  if (started) return () => {};
  started = true;
  // Until the log is open there is no engine; the first sync below picks up anything recorded.
  void predictionLog().then((log) => {
    if (!started) return;
    engine = createSyncEngine({
      log,
      api: httpIngestApi(),
      timers: {
        setTimeout: (run, ms) => window.setTimeout(run, ms),
        clearTimeout: (handle) => window.clearTimeout(handle as number),
      },
      now: Date.now,
      random: Math.random,
      isOnline: () => navigator.onLine,
      onChange: () => notify(),
    });
    return requestSync();
  });
  if ('BroadcastChannel' in window) {
    channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = () => notify(true);
  }
  const online = () => void requestSync({ force: true });
  const visible = () => {
    if (document.visibilityState === 'visible') void requestSync();
  };
  window.addEventListener('online', online);
  document.addEventListener('visibilitychange', visible);
  return () => {
    window.removeEventListener('online', online);
    document.removeEventListener('visibilitychange', visible);
    channel?.close();
    channel = null;
    engine?.dispose();
    engine = null;
    started = false;
  };
}
