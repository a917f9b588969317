import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPredictionLog, type PredictionLog } from './prediction-log';
import { entry } from './testing';

describe('the prediction log', () => {
  let log: PredictionLog;
  beforeEach(async () => {
    log = await openPredictionLog(`test-${crypto.randomUUID()}`);
  });
  afterEach(() => log.close());

  it('keeps added predictions pending, oldest first, until the server acknowledges them', async () => {
    const a = await log.add(entry());
    const b = await log.add(entry());
    expect((await log.pending(10)).map((e) => e.id).sort()).toEqual([a.id, b.id].sort());
    await log.markSynced([a.id], '2026-11-01T00:00:00Z');
    expect((await log.pending(10)).map((e) => e.id)).toEqual([b.id]);
    expect(await log.get(a.id)).toMatchObject({
      state: 'synced',
      syncedAt: '2026-11-01T00:00:00Z',
    });
    expect(await log.counts()).toMatchObject({ pending: 1, synced: 1, rejected: 0 });
  });

  it('moves a refused prediction to the dead letters and can put it back', async () => {
    const a = await log.add(entry());
    await log.markRejected([{ id: a.id, reason: 'bad' }]);
    expect(await log.pending(10)).toEqual([]);
    expect(await log.deadLetters()).toMatchObject([
      { id: a.id, state: 'rejected', rejectReason: 'bad' },
    ]);
    await log.retryDeadLetter(a.id);
    expect((await log.pending(10)).map((e) => e.id)).toEqual([a.id]);
  });

  it('never turns a synced prediction back into a rejected one', async () => {
    const a = await log.add(entry());
    await log.markSynced([a.id], 'now');
    await log.markRejected([{ id: a.id, reason: 'late' }]);
    expect((await log.get(a.id))?.state).toBe('synced');
  });

  it('lists History newest first and keeps everything (no retention limit)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) ids.push((await log.add(entry())).id);
    await log.markSynced(ids, 'now');
    expect((await log.recent(100)).map((e) => e.id)).toEqual([...ids].reverse());
    expect((await log.recent(5)).length).toBe(5);
    expect((await log.counts()).synced).toBe(30);
  });

  it('queues feedback and offers it for sending only once the prediction is synced', async () => {
    const a = await log.add(entry());
    await log.setFeedback(a.id, 'perch', 'now');
    expect((await log.get(a.id))?.feedback?.label).toBe('perch');
    expect(await log.feedbackToSend(10)).toEqual([]);
    await log.markSynced([a.id], 'now');
    expect(await log.feedbackToSend(10)).toEqual([{ id: a.id, label: 'perch' }]);
    // A newer label given while the first was in flight stays queued.
    await log.setFeedback(a.id, 'burbot', 'later');
    await log.feedbackAcknowledged([{ id: a.id, label: 'perch' }]);
    expect(await log.feedbackToSend(10)).toEqual([{ id: a.id, label: 'burbot' }]);
    await log.feedbackAcknowledged([{ id: a.id, label: 'burbot' }]);
    expect((await log.counts()).feedbackPending).toBe(0);
  });

  it('keeps the first device registration when two tabs race', async () => {
    const first = await log.keepDevice({ deviceId: 'a', token: 'ta' });
    const second = await log.keepDevice({ deviceId: 'b', token: 'tb' });
    expect(first).toEqual({ deviceId: 'a', token: 'ta' });
    expect(second).toEqual({ deviceId: 'a', token: 'ta' });
    await log.forgetDevice('tb'); // not ours: kept
    expect(await log.device()).toEqual({ deviceId: 'a', token: 'ta' });
    await log.forgetDevice('ta');
    expect(await log.device()).toBeUndefined();
  });

  it('keeps the species of the pack version that made a prediction', async () => {
    const labels = [{ id: 'bream', latin: 'Abramis brama', names: { en: 'common bream' } }];
    await log.add(entry({ model: { name: 'river-fish', version: 3 } }), labels);
    expect(await log.labels({ name: 'river-fish', version: 3 })).toEqual(labels);
    expect(await log.labels({ name: 'river-fish', version: 2 })).toBeUndefined();
  });

  it('deletes a prediction that was not sent yet so that it is never sent, and undo brings it back', async () => {
    const jpeg = new Blob([Uint8Array.from([0xff, 0xd8, 0xff, 7])], { type: 'image/jpeg' });
    const a = await log.add(entry({ thumbnail: jpeg }));
    const b = await log.add(entry());
    await log.setFeedback(a.id, 'perch', 'now');

    const removed = await log.remove([a.id, 'no-such-id']);
    expect(removed.map((r) => r.entry.id)).toEqual([a.id]);
    expect(removed[0]?.queuedFeedback).toBe('perch');
    expect(await log.get(a.id)).toBeUndefined();
    expect((await log.pending(10)).map((e) => e.id)).toEqual([b.id]);
    expect(await log.counts()).toMatchObject({ pending: 1, feedbackPending: 0 });

    await log.restore(removed);
    const back = await log.get(a.id);
    expect(back).toMatchObject({ state: 'pending', feedback: { label: 'perch' } });
    expect(new Uint8Array(await back!.thumbnail!.arrayBuffer())).toEqual(
      Uint8Array.from([0xff, 0xd8, 0xff, 7]),
    );
    expect((await log.pending(10)).map((e) => e.id).sort()).toEqual([a.id, b.id].sort());
    expect((await log.counts()).feedbackPending).toBe(1);
  });

  it('clears everything and says how many predictions were never sent', async () => {
    const labels = [{ id: 'bream', latin: 'Abramis brama', names: {} }];
    const a = await log.add(entry(), labels);
    await log.add(entry());
    await log.markSynced([a.id], 'now');
    await log.setFeedback(a.id, 'perch', 'now');
    expect(await log.clear()).toEqual({ removed: 2, unsent: 1 });
    expect(await log.recent(10)).toEqual([]);
    expect(await log.counts()).toEqual({ pending: 0, rejected: 0, synced: 0, feedbackPending: 0 });
    expect(await log.feedbackToSend(10)).toEqual([]);
    expect(await log.labels({ name: 'fish', version: 1 })).toBeUndefined();
  });
});

describe('a prediction log written by the first app version', () => {
  it('is upgraded: versions become numbers and data: URL thumbnails become Blobs, nothing is lost', async () => {
    const name = `v1-${crypto.randomUUID()}`;
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        const predictions = db.createObjectStore('predictions', { keyPath: 'id' });
        predictions.createIndex('by-state', 'state');
        predictions.createIndex('by-created', 'createdAt');
        db.createObjectStore('feedback', { keyPath: 'id' });
        db.createObjectStore('meta');
      },
    });
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const thumbnail = `data:image/jpeg;base64,${btoa(String.fromCharCode(...jpeg))}`;
    const old = { ...entry(), model: { name: 'river-fish', version: '12' }, thumbnail };
    await v1.put('predictions', { ...old, state: 'pending' });
    await v1.put('predictions', { ...entry(), state: 'synced' });
    v1.close();

    const log = await openPredictionLog(name);
    const upgraded = await log.get(old.id);
    expect(upgraded?.model).toEqual({ name: 'river-fish', version: 12 });
    expect(upgraded?.thumbnail).toBeInstanceOf(Blob);
    expect(upgraded?.thumbnail?.type).toBe('image/jpeg');
    expect(new Uint8Array(await upgraded!.thumbnail!.arrayBuffer())).toEqual(jpeg);
    expect(await log.counts()).toMatchObject({ pending: 1, synced: 1 });
    log.close();
  });
});
