/** Test doubles for sync: an in-memory ingest server with scripted failures, and manual timers. */
import type { BatchResponse, PredictionPayload } from '../../shared/api';
import type { ApiResult, IngestApi } from './api';
import type { Timers } from './engine';

type Failure = Exclude<ApiResult<never>, { kind: 'ok' }> & { afterCommit?: boolean };

/** An IngestApi that stores ids like the server does; `fail` queues answers for the next batches. */
export function fakeIngestServer() {
  const stored = new Map<string, PredictionPayload>();
  const feedback = new Map<string, string>();
  const tokens = new Set<string>();
  const failures: Failure[] = [];
  const batches: PredictionPayload[][] = [];
  let registrations = 0;
  const invalid = new Set<string>();

  const api: IngestApi = {
    registerDevice() {
      registrations += 1;
      const token = `token-${registrations}`;
      tokens.add(token);
      return Promise.resolve({
        kind: 'ok',
        body: { deviceId: `00000000-0000-4000-8000-00000000000${registrations}`, token },
      });
    },
    postBatch(token, predictions) {
      batches.push(predictions);
      const failure = failures.shift();
      if (failure && !failure.afterCommit) return Promise.resolve(failure);
      if (!tokens.has(token)) return Promise.resolve({ kind: 'unauthorized' });
      const body: BatchResponse = { accepted: 0, duplicates: 0, rejected: [] };
      predictions.forEach((p, index) => {
        if (invalid.has(p.id))
          body.rejected.push({ id: p.id, index, reason: 'top.0.probability: too big' });
        else if (stored.has(p.id)) body.duplicates += 1;
        else {
          stored.set(p.id, p);
          body.accepted += 1;
        }
      });
      // A failure after the commit: the rows are stored but the answer is lost.
      return Promise.resolve(failure ?? { kind: 'ok', body });
    },
    postFeedback(token, items) {
      if (!tokens.has(token)) return Promise.resolve({ kind: 'unauthorized' });
      const unknown: string[] = [];
      for (const item of items) {
        if (stored.has(item.id)) feedback.set(item.id, item.label);
        else unknown.push(item.id);
      }
      return Promise.resolve({
        kind: 'ok',
        body: { updated: items.length - unknown.length, unknown },
      });
    },
  };
  return {
    api,
    stored,
    feedback,
    batches,
    invalid,
    tokens,
    /** Queues answers for the next batch requests. */
    fail: (...next: Failure[]) => failures.push(...next),
    registrations: () => registrations,
  };
}

/** Timers run only when the test says so. */
export function manualTimers() {
  let now = 1_800_000_000_000;
  const due: { at: number; run: () => void; id: number }[] = [];
  let nextId = 1;
  const timers: Timers = {
    setTimeout(run, ms) {
      const id = nextId++;
      due.push({ at: now + ms, run, id });
      return id;
    },
    clearTimeout(handle) {
      const index = due.findIndex((t) => t.id === handle);
      if (index >= 0) due.splice(index, 1);
    },
  };
  return {
    timers,
    now: () => now,
    /** Delays of the timers now scheduled, ms from now. */
    scheduled: () => due.map((t) => t.at - now),
    /** Jumps to the earliest timer and runs it. */
    runNext() {
      due.sort((a, b) => a.at - b.at);
      const next = due.shift();
      if (!next) throw new Error('no timer scheduled');
      now = next.at;
      next.run();
    },
  };
}
