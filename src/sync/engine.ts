/**
 * The sync engine: sends the outbox in batches, marks what the server acknowledged, dead-letters
 * what it refused, and retries everything else with backoff. Clock, timers and randomness are
 * injected, so tests drive it without real waiting. One run at a time; calls during a run make
 * it go round once more.
 */
import type { PredictionPayload } from '../../shared/api';
import { MAX_BATCH_ENTRIES } from '../../shared/api-limits';
import type { DeviceCredentials, PredictionLog } from '../storage/prediction-log';
import type { IngestApi } from './api';
import { DEFAULT_BACKOFF, retryDelay, type BackoffOptions } from './backoff';
import { takeBatch } from './batch';

export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SyncEngineDeps {
  log: PredictionLog;
  api: IngestApi;
  timers: Timers;
  now(): number;
  random(): number;
  isOnline(): boolean;
  backoff?: BackoffOptions;
  /** Called after anything in the log changed, for screens and other tabs. */
  onChange?(): void;
}

/** How a run ended. */
export type SyncOutcome =
  | { kind: 'done'; sent: number }
  | { kind: 'offline' }
  | { kind: 'retrying'; inMs: number; status: number | null };

export interface SyncEngine {
  /** Syncs now (or joins the run in progress), unless a backoff wait is under way. */
  sync(options?: { force?: boolean }): Promise<SyncOutcome>;
  /** The time of the next scheduled retry, if any. */
  nextRetryAt(): number | null;
  dispose(): void;
}

/** Thrown inside a run to stop it and schedule a retry. */
class RetryLater extends Error {
  constructor(
    readonly status: number | null,
    readonly retryAfterMs: number | null,
  ) {
    super(`retry later (status ${status ?? 'none'})`);
  }
}

/** Creates an engine; it does nothing until `sync()` is called (see index.ts for the triggers). */
export function createSyncEngine(deps: SyncEngineDeps): SyncEngine {
  const { log, api } = deps;
  let running: Promise<SyncOutcome> | null = null;
  let again = false;
  let attempt = 0;
  let timer: unknown = null;
  let retryAt: number | null = null;

  const changed = () => deps.onChange?.();

  async function credentials(): Promise<DeviceCredentials> {
    const known = await log.device();
    if (known) return known;
    const registered = await api.registerDevice();
    if (registered.kind === 'ok') return log.keepDevice(registered.body);
    if (registered.kind === 'retry')
      throw new RetryLater(registered.status, registered.retryAfterMs);
    throw new RetryLater(registered.kind === 'refused' ? registered.status : 401, null);
  }

  /** Sends one batch; returns how many entries left the outbox. */
  async function sendBatch(device: DeviceCredentials, batch: PredictionPayload[]): Promise<number> {
    const result = await api.postBatch(device.token, batch);
    switch (result.kind) {
      case 'ok': {
        const rejected = result.body.rejected.filter(
          (r): r is typeof r & { id: string } => r.id !== null,
        );
        const rejectedIds = new Set(rejected.map((r) => r.id.toLowerCase()));
        await log.markRejected(rejected.map((r) => ({ id: r.id, reason: r.reason })));
        // Every other id was acknowledged: stored now, or stored before (a duplicate).
        const acknowledged = batch
          .map((p) => p.id)
          .filter((id) => !rejectedIds.has(id.toLowerCase()));
        await log.markSynced(acknowledged, new Date(deps.now()).toISOString());
        return batch.length;
      }
      case 'unauthorized':
        await log.forgetDevice(device.token);
        throw new RetryLater(401, null);
      case 'refused':
        if (batch.length === 1) {
          await log.markRejected([
            { id: batch[0]!.id, reason: `${result.status}: ${result.detail}` },
          ]);
          return 1;
        }
        // The batch as a whole was refused (too large?): halve it until the culprit is alone.
        return sendBatch(device, batch.slice(0, Math.ceil(batch.length / 2)));
      case 'retry':
        throw new RetryLater(result.status, result.retryAfterMs);
    }
  }

  async function sendFeedback(device: DeviceCredentials): Promise<void> {
    for (;;) {
      const items = await log.feedbackToSend(MAX_BATCH_ENTRIES);
      if (items.length === 0) return;
      const result = await api.postFeedback(device.token, items);
      if (result.kind === 'retry') throw new RetryLater(result.status, result.retryAfterMs);
      if (result.kind === 'unauthorized') {
        await log.forgetDevice(device.token);
        throw new RetryLater(401, null);
      }
      if (result.kind === 'refused') {
        await log.feedbackRefused(
          items.map((i) => i.id),
          `${result.status}: ${result.detail}`,
        );
      } else {
        const unknown = new Set(result.body.unknown);
        await log.feedbackAcknowledged(items.filter((i) => !unknown.has(i.id)));
        if (unknown.size > 0)
          await log.feedbackRefused([...unknown], 'The server has no such prediction.');
      }
      changed();
    }
  }

  async function run(): Promise<SyncOutcome> {
    if (!deps.isOnline()) return { kind: 'offline' };
    let sent = 0;
    try {
      let device = await credentials();
      for (;;) {
        const pending = await log.pending(MAX_BATCH_ENTRIES);
        if (pending.length === 0) break;
        try {
          sent += await sendBatch(device, takeBatch(pending));
        } catch (error) {
          // A 401 means our token is gone (say, a new server database): register once and go on.
          if (!(error instanceof RetryLater && error.status === 401)) throw error;
          device = await credentials();
          sent += await sendBatch(device, takeBatch(pending));
        }
        changed();
      }
      await sendFeedback(device);
      attempt = 0;
      await log.setLastSyncAt(new Date(deps.now()).toISOString());
      changed();
      return { kind: 'done', sent };
    } catch (error) {
      if (!(error instanceof RetryLater)) throw error;
      const inMs = retryDelay(
        attempt,
        error.retryAfterMs,
        () => deps.random(),
        deps.backoff ?? DEFAULT_BACKOFF,
      );
      attempt += 1;
      retryAt = deps.now() + inMs;
      timer = deps.timers.setTimeout(() => {
        timer = null;
        retryAt = null;
        void engine.sync();
      }, inMs);
      changed();
      return { kind: 'retrying', inMs, status: error.status };
    }
  }

  const engine: SyncEngine = {
    sync(options = {}) {
      if (options.force && timer !== null) {
        deps.timers.clearTimeout(timer);
        timer = null;
        retryAt = null;
        attempt = 0;
      }
      if (running) {
        again = true;
        return running;
      }
      if (timer !== null)
        return Promise.resolve({
          kind: 'retrying',
          inMs: (retryAt ?? 0) - deps.now(),
          status: null,
        });
      running = (async () => {
        let outcome: SyncOutcome;
        do {
          again = false;
          outcome = await run();
        } while (again && outcome.kind === 'done');
        return outcome;
      })().finally(() => {
        running = null;
      });
      return running;
    },
    nextRetryAt: () => retryAt,
    dispose() {
      if (timer !== null) deps.timers.clearTimeout(timer);
      timer = null;
    },
  };
  return engine;
}
