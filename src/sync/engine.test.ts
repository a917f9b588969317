import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPredictionLog, type PredictionLog } from '../storage/prediction-log';
import { entry } from '../storage/testing';
import { backoffDelay, parseRetryAfter } from './backoff';
import { createSyncEngine, type SyncEngine } from './engine';
import { fakeIngestServer, manualTimers } from './testing';

describe('the sync engine', () => {
  let log: PredictionLog;
  let server: ReturnType<typeof fakeIngestServer>;
  let clock: ReturnType<typeof manualTimers>;
  let online: boolean;
  let engine: SyncEngine;
  beforeEach(async () => {
    log = await openPredictionLog(`sync-${crypto.randomUUID()}`);
    server = fakeIngestServer();
    clock = manualTimers();
    online = true;
    engine = createSyncEngine({
      log,
      api: server.api,
      timers: clock.timers,
      now: clock.now,
      random: () => 0.5,
      isOnline: () => online,
    });
  });
  afterEach(() => {
    engine.dispose();
    log.close();
  });

  const add = async (count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) ids.push((await log.add(entry())).id);
    return ids;
  };
  /** Runs due retries until nothing is scheduled, then waits for the run in progress. */
  const drain = async () => {
    while (clock.scheduled().length > 0) {
      clock.runNext();
      await engine.sync();
    }
  };

  it('sends nothing while offline, then everything once online, and empties the outbox', async () => {
    const ids = await add(3);
    online = false;
    expect(await engine.sync()).toEqual({ kind: 'offline' });
    expect(server.batches).toEqual([]);
    online = true;
    expect(await engine.sync()).toEqual({ kind: 'done', sent: 3 });
    expect([...server.stored.keys()].sort()).toEqual([...ids].sort());
    expect(await log.counts()).toMatchObject({ pending: 0, synced: 3 });
    expect(await log.lastSyncAt()).toBe(new Date(clock.now()).toISOString());
  });

  it('sends at most 500 entries per batch', async () => {
    await add(1203);
    await engine.sync();
    expect(server.batches.map((b) => b.length)).toEqual([500, 500, 203]);
    expect(server.stored.size).toBe(1203);
  });

  it('keeps entries through 500, 503 and 429 with growing waits, honouring Retry-After', async () => {
    const ids = await add(2);
    server.fail(
      { kind: 'retry', status: 500, retryAfterMs: null },
      { kind: 'retry', status: 503, retryAfterMs: null },
      { kind: 'retry', status: 503, retryAfterMs: null },
      { kind: 'retry', status: 429, retryAfterMs: 120_000 },
    );
    const waits: number[] = [];
    let outcome = await engine.sync();
    while (outcome.kind === 'retrying') {
      waits.push(outcome.inMs);
      expect(await log.counts()).toMatchObject({ pending: 2 });
      clock.runNext();
      outcome = await engine.sync();
    }
    // random() = 0.5 → three quarters of base·2^n: 750, 1500, 3000 ms; then the server's 120 s.
    expect(waits).toEqual([750, 1500, 3000, 120_000]);
    expect([...server.stored.keys()].sort()).toEqual([...ids].sort());
    expect(await log.counts()).toMatchObject({ pending: 0, synced: 2 });
  });

  it('does not let a new prediction cut a backoff wait short, but coming online does', async () => {
    await add(1);
    server.fail({ kind: 'retry', status: 503, retryAfterMs: null });
    expect((await engine.sync()).kind).toBe('retrying');
    expect((await engine.sync()).kind).toBe('retrying');
    expect(server.batches).toHaveLength(1);
    expect(await engine.sync({ force: true })).toEqual({ kind: 'done', sent: 1 });
    expect(clock.scheduled()).toEqual([]);
  });

  it('resends after a response lost after the commit and ends with one stored copy', async () => {
    const ids = await add(3);
    server.fail({ kind: 'retry', status: null, retryAfterMs: null, afterCommit: true });
    expect((await engine.sync()).kind).toBe('retrying');
    expect(server.stored.size).toBe(3); // the server committed, the phone does not know
    expect((await log.counts()).pending).toBe(3);
    await drain();
    expect(server.batches).toHaveLength(2);
    expect(server.batches[1]!.map((p) => p.id)).toEqual(server.batches[0]!.map((p) => p.id));
    expect([...server.stored.keys()].sort()).toEqual([...ids].sort());
    expect((await log.counts()).pending).toBe(0);
  });

  it('dead-letters the entry the server rejects and syncs the rest', async () => {
    const [good1, bad, good2] = await add(3);
    server.invalid.add(bad!);
    expect(await engine.sync()).toEqual({ kind: 'done', sent: 3 });
    expect(await log.deadLetters()).toMatchObject([
      { id: bad, rejectReason: expect.stringContaining('probability') as unknown },
    ]);
    expect([...server.stored.keys()].sort()).toEqual([good1, good2].sort());
    // It no longer blocks: a later prediction goes through alone.
    const [later] = await add(1);
    await engine.sync();
    expect(server.batches.at(-1)!.map((p) => p.id)).toEqual([later]);
  });

  it('halves a batch the server refuses as a whole and dead-letters the entry refused alone', async () => {
    await add(4);
    server.fail(
      { kind: 'refused', status: 413, detail: 'too large' },
      { kind: 'refused', status: 413, detail: 'too large' },
      { kind: 'refused', status: 413, detail: 'too large' },
    );
    await engine.sync();
    expect(server.batches.map((b) => b.length).slice(0, 3)).toEqual([4, 2, 1]);
    expect(await log.deadLetters()).toHaveLength(1);
    expect(await log.counts()).toMatchObject({ pending: 0, synced: 3, rejected: 1 });
  });

  it('registers again when the server no longer knows the token', async () => {
    await add(1);
    await engine.sync();
    server.tokens.clear(); // e.g. the server's database was replaced
    await add(1);
    expect(await engine.sync()).toEqual({ kind: 'done', sent: 1 });
    expect(server.registrations()).toBe(2);
    expect(server.stored.size).toBe(2);
  });

  it('runs once when many triggers fire together', async () => {
    await add(2);
    const outcomes = await Promise.all([engine.sync(), engine.sync(), engine.sync()]);
    expect(outcomes.every((o) => o.kind === 'done')).toBe(true);
    expect(server.batches).toHaveLength(1);
    expect(server.registrations()).toBe(1);
  });

  it('sends feedback given after sync as an update, once', async () => {
    const [id] = await add(1);
    await engine.sync();
    await log.setFeedback(id!, 'perch', 'now');
    await engine.sync();
    expect(server.feedback.get(id!)).toBe('perch');
    expect((await log.counts()).feedbackPending).toBe(0);
  });

  it('sends feedback given before sync inside the batch', async () => {
    const [id] = await add(1);
    await log.setFeedback(id!, 'burbot', 'now');
    await engine.sync();
    expect(server.stored.get(id!)?.feedback).toEqual({ label: 'burbot' });
  });
});

describe('backoff', () => {
  it('doubles up to the cap and jitters within the upper half', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(3, () => 0)).toBe(4000);
    expect(backoffDelay(40, () => 1)).toBe(300_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 12:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe('batches', () => {
  it('stay within 1 MB by their encoded size', async () => {
    const { takeBatch } = await import('./batch');
    const big = Array.from({ length: 40 }, () => ({
      ...entry({ top: [{ label: 'x'.repeat(100_000), probability: 1 }] }),
      state: 'pending' as const,
    }));
    const batch = takeBatch(big);
    expect(batch.length).toBe(9);
    expect(
      new TextEncoder().encode(JSON.stringify({ predictions: batch })).length,
    ).toBeLessThanOrEqual(1_000_000);
    expect(JSON.stringify(batch)).not.toContain('thumbnail');
  });

  it("never carry the device's own notes: an 'unknown' answer is sent as the not-sure prediction it is", async () => {
    const { toPayload } = await import('./batch');
    const payload = toPayload({
      ...entry({ notSure: true }),
      unknown: true,
      state: 'pending',
    });
    expect(payload.notSure).toBe(true);
    expect(payload).not.toHaveProperty('unknown');
  });
});

describe('Background Sync', () => {
  it('empties the outbox of the default log, and rejects so the browser retries when it cannot', async () => {
    const { syncOutboxInBackground } = await import('./background');
    const log = await openPredictionLog();
    const { id } = await log.add(entry());
    const server = fakeIngestServer();
    server.fail({ kind: 'retry', status: 503, retryAfterMs: null });
    await expect(syncOutboxInBackground(server.api)).rejects.toThrow(/retry/);
    expect((await log.get(id))?.state).toBe('pending');
    await expect(syncOutboxInBackground(server.api)).resolves.toEqual({ kind: 'done', sent: 1 });
    expect((await log.get(id))?.state).toBe('synced');
    log.close();
  });
});
