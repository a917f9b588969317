/**
 * The prediction log on this device, in IndexedDB database `fishlens-log` (idb): every prediction
 * with its sync state (the outbox is the `pending` ones), the feedback still to send for synced
 * ones, and the device's registration. There is no retention limit: an entry leaves the outbox
 * when `markSynced` or `markRejected` is called with the server's answer, or when the person
 * deletes it from History (`remove`, `clear`): a deleted entry that was not sent yet is discarded,
 * never sent. Every write awaits `tx.done` before it resolves.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { Label, PackRef } from '../../shared/pack';
import type { DeviceCredentials, LogSchema, OutboxEntry } from './prediction-log-schema';
import { upgradeEntriesToV2 } from './prediction-log-v2';

export type { DeviceCredentials, OutboxEntry } from './prediction-log-schema';

export const LOG_DB_NAME = 'fishlens-log';
const LOG_DB_VERSION = 2;

/** Counts shown on the Status screen. */
export interface LogCounts {
  pending: number;
  rejected: number;
  synced: number;
  feedbackPending: number;
}

/** A prediction taken out of the log with its correction still to send, so it can be put back. */
export interface RemovedPrediction {
  entry: OutboxEntry;
  queuedFeedback?: string;
}

/** The operations sync and the screens need; one object per open database. */
export interface PredictionLog {
  /** Logs a prediction; `labels` are the species of the pack version that made it. */
  add(entry: Omit<OutboxEntry, 'state'>, labels?: readonly Label[]): Promise<OutboxEntry>;
  /** The species of a pack version that made a logged prediction, if they were kept. */
  labels(pack: PackRef): Promise<Label[] | undefined>;
  get(id: string): Promise<OutboxEntry | undefined>;
  /** The oldest-first pending entries, at most `limit`. */
  pending(limit: number): Promise<OutboxEntry[]>;
  /** Newest first, for History. */
  recent(limit: number): Promise<OutboxEntry[]>;
  deadLetters(): Promise<OutboxEntry[]>;
  counts(): Promise<LogCounts>;
  /** Marks pending entries as acknowledged by the server. */
  markSynced(ids: string[], at: string): Promise<void>;
  /** Moves pending entries to the dead-letter list with the server's reason. */
  markRejected(rejections: { id: string; reason: string }[]): Promise<void>;
  /** Puts a dead letter back into the outbox (after an app update fixed the cause). */
  retryDeadLetter(id: string): Promise<void>;
  /**
   * Deletes predictions (and their corrections still to send) from this device; pending ones are
   * thereby never sent. Returns what was removed, thumbnails copied, for `restore` (undo).
   */
  remove(ids: string[]): Promise<RemovedPrediction[]>;
  /** Puts removed predictions back as they were (a pending one is sent again). */
  restore(removed: RemovedPrediction[]): Promise<void>;
  /** Deletes every prediction, correction and kept species list; returns how many were removed. */
  clear(): Promise<{ removed: number; unsent: number }>;
  /** Records the user's correction; it travels with the entry or, once synced, as an update. */
  setFeedback(id: string, label: string, at: string): Promise<void>;
  /** Feedback to send as updates: only for entries the server has already stored. */
  feedbackToSend(limit: number): Promise<{ id: string; label: string }[]>;
  /** Drops sent feedback whose label did not change meanwhile. */
  feedbackAcknowledged(items: { id: string; label: string }[]): Promise<void>;
  /** Gives up on feedback the server does not know, noting why on the entry. */
  feedbackRefused(ids: string[], reason: string): Promise<void>;
  device(): Promise<DeviceCredentials | undefined>;
  /** Stores `device` unless one is stored already; returns whichever is kept (two tabs may race). */
  keepDevice(device: DeviceCredentials): Promise<DeviceCredentials>;
  forgetDevice(token: string): Promise<void>;
  lastSyncAt(): Promise<string | undefined>;
  setLastSyncAt(at: string): Promise<void>;
  close(): void;
}

/** Opens (creating or upgrading) the prediction log. */
export async function openPredictionLog(name = LOG_DB_NAME): Promise<PredictionLog> {
  const db: IDBPDatabase<LogSchema> = await openDB<LogSchema>(name, LOG_DB_VERSION, {
    upgrade(database, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        const predictions = database.createObjectStore('predictions', { keyPath: 'id' });
        predictions.createIndex('by-state', 'state');
        predictions.createIndex('by-created', 'createdAt');
        database.createObjectStore('feedback', { keyPath: 'id' });
        database.createObjectStore('meta');
      }
      if (oldVersion < 2) {
        database.createObjectStore('labels', { keyPath: ['name', 'version'] });
        // Runs inside the upgrade transaction: the database opens only after it committed.
        if (oldVersion >= 1) void upgradeEntriesToV2(tx);
      }
    },
  });

  const updatePending = async (ids: string[], change: (entry: OutboxEntry) => void) => {
    const tx = db.transaction('predictions', 'readwrite');
    for (const id of ids) {
      const entry = await tx.store.get(id);
      if (entry?.state === 'pending') {
        change(entry);
        await tx.store.put(entry);
      }
    }
    await tx.done;
  };

  return {
    async add(input, labels) {
      const entry: OutboxEntry = { ...input, state: 'pending' };
      const tx = db.transaction(['predictions', 'labels'], 'readwrite');
      await tx.objectStore('predictions').add(entry);
      if (labels) await tx.objectStore('labels').put({ ...input.model, labels: [...labels] });
      await tx.done;
      return entry;
    },
    labels: async ({ name, version }) => (await db.get('labels', [name, version]))?.labels,
    get: (id) => db.get('predictions', id),
    pending: (limit) => db.getAllFromIndex('predictions', 'by-state', 'pending', limit),
    async recent(limit) {
      const entries: OutboxEntry[] = [];
      let cursor = await db
        .transaction('predictions')
        .store.index('by-created')
        .openCursor(null, 'prev');
      while (cursor && entries.length < limit) {
        entries.push(cursor.value);
        cursor = await cursor.continue();
      }
      return entries;
    },
    deadLetters: () => db.getAllFromIndex('predictions', 'by-state', 'rejected'),
    async counts() {
      const tx = db.transaction(['predictions', 'feedback']);
      const byState = tx.objectStore('predictions').index('by-state');
      const [pending, rejected, synced, feedbackPending] = await Promise.all([
        byState.count('pending'),
        byState.count('rejected'),
        byState.count('synced'),
        tx.objectStore('feedback').count(),
      ]);
      await tx.done;
      return { pending, rejected, synced, feedbackPending };
    },
    markSynced: (ids, at) =>
      updatePending(ids, (entry) => {
        entry.state = 'synced';
        entry.syncedAt = at;
      }),
    async markRejected(rejections) {
      const reasons = new Map(rejections.map((r) => [r.id, r.reason]));
      await updatePending([...reasons.keys()], (entry) => {
        entry.state = 'rejected';
        entry.rejectReason = reasons.get(entry.id) ?? 'rejected';
      });
    },
    async retryDeadLetter(id) {
      const tx = db.transaction('predictions', 'readwrite');
      const entry = await tx.store.get(id);
      if (entry?.state === 'rejected') {
        entry.state = 'pending';
        delete entry.rejectReason;
        await tx.store.put(entry);
      }
      await tx.done;
    },
    async remove(ids) {
      // Thumbnails are copied first: a Blob read from IndexedDB belongs to its record, and the
      // copy must outlive the record for undo. No foreign await inside a transaction.
      const found = (await Promise.all(ids.map((id) => db.get('predictions', id)))).filter(
        (entry): entry is OutboxEntry => entry !== undefined,
      );
      const thumbnails = new Map<string, Blob>();
      for (const { id, thumbnail } of found)
        if (thumbnail)
          thumbnails.set(id, new Blob([await thumbnail.arrayBuffer()], { type: thumbnail.type }));
      const tx = db.transaction(['predictions', 'feedback'], 'readwrite');
      const removed: RemovedPrediction[] = [];
      for (const id of ids) {
        const entry = await tx.objectStore('predictions').get(id);
        if (!entry) continue;
        const queued = await tx.objectStore('feedback').get(id);
        const thumbnail = thumbnails.get(id);
        removed.push({
          entry: { ...entry, ...(thumbnail ? { thumbnail } : {}) },
          ...(queued ? { queuedFeedback: queued.label } : {}),
        });
        await tx.objectStore('predictions').delete(id);
        await tx.objectStore('feedback').delete(id);
      }
      await tx.done;
      return removed;
    },
    async restore(removed) {
      const tx = db.transaction(['predictions', 'feedback'], 'readwrite');
      for (const { entry, queuedFeedback } of removed) {
        await tx.objectStore('predictions').put(entry);
        if (queuedFeedback !== undefined)
          await tx.objectStore('feedback').put({ id: entry.id, label: queuedFeedback });
      }
      await tx.done;
    },
    async clear() {
      const tx = db.transaction(['predictions', 'feedback', 'labels'], 'readwrite');
      const byState = tx.objectStore('predictions').index('by-state');
      const [removed, unsent] = await Promise.all([
        tx.objectStore('predictions').count(),
        byState.count('pending'),
      ]);
      await Promise.all([
        tx.objectStore('predictions').clear(),
        tx.objectStore('feedback').clear(),
        tx.objectStore('labels').clear(),
      ]);
      await tx.done;
      return { removed, unsent };
    },
    async setFeedback(id, label, at) {
      const tx = db.transaction(['predictions', 'feedback'], 'readwrite');
      const entry = await tx.objectStore('predictions').get(id);
      if (entry) {
        entry.feedback = { label, givenAt: at };
        await tx.objectStore('predictions').put(entry);
        // Queued whatever the state: a batch in flight may have left before the feedback was
        // given, so the update is sent once the entry is synced (it is idempotent on the server).
        await tx.objectStore('feedback').put({ id, label });
      }
      await tx.done;
    },
    async feedbackToSend(limit) {
      const tx = db.transaction(['predictions', 'feedback']);
      const items: { id: string; label: string }[] = [];
      for (const item of await tx.objectStore('feedback').getAll()) {
        if (items.length >= limit) break;
        const entry = await tx.objectStore('predictions').get(item.id);
        if (entry?.state === 'synced') items.push(item);
      }
      await tx.done;
      return items;
    },
    async feedbackAcknowledged(items) {
      const tx = db.transaction('feedback', 'readwrite');
      for (const item of items) {
        const queued = await tx.store.get(item.id);
        if (queued?.label === item.label) await tx.store.delete(item.id);
      }
      await tx.done;
    },
    async feedbackRefused(ids, reason) {
      const tx = db.transaction(['predictions', 'feedback'], 'readwrite');
      for (const id of ids) {
        await tx.objectStore('feedback').delete(id);
        const entry = await tx.objectStore('predictions').get(id);
        if (entry) await tx.objectStore('predictions').put({ ...entry, rejectReason: reason });
      }
      await tx.done;
    },
    device: async () => (await db.get('meta', 'device')) as DeviceCredentials | undefined,
    async keepDevice(device) {
      const tx = db.transaction('meta', 'readwrite');
      const existing = (await tx.store.get('device')) as DeviceCredentials | undefined;
      if (!existing) await tx.store.put(device, 'device');
      await tx.done;
      return existing ?? device;
    },
    async forgetDevice(token) {
      const tx = db.transaction('meta', 'readwrite');
      const existing = (await tx.store.get('device')) as DeviceCredentials | undefined;
      if (existing?.token === token) await tx.store.delete('device');
      await tx.done;
    },
    lastSyncAt: async () => (await db.get('meta', 'lastSyncAt')) as string | undefined,
    async setLastSyncAt(at) {
      await db.put('meta', at, 'lastSyncAt');
    },
    close: () => db.close(),
  };
}
