/**
 * The prediction log on this device, in IndexedDB database `fishlens-log` (idb): every prediction
 * with its sync state (the outbox is the `pending` ones), the feedback still to send for synced
 * ones, and the device's registration. Nothing here deletes a prediction: there is no retention
 * limit, and an entry leaves the outbox only when `markSynced` or `markRejected` is called with
 * the server's answer. Every write awaits `tx.done` before it resolves.
 */
import {
  openDB,
  type DBSchema,
  type IDBPDatabase,
  type IDBPTransaction,
  type StoreNames,
} from 'idb';
import type { Label, PackRef } from '../../shared/pack';

export const LOG_DB_NAME = 'fishlens-log';
const LOG_DB_VERSION = 2;

export type SyncState = 'pending' | 'synced' | 'rejected';

/** One prediction as logged on the device; the fields sent to the server plus local state. */
export interface OutboxEntry {
  /** A UUID made on the device: the idempotency key on the server. */
  id: string;
  createdAt: string;
  model: PackRef;
  top: { label: string; probability: number }[];
  notSure: boolean;
  latencyMs: number;
  backend: string;
  appVersion: string;
  /** The species the user says is right, chosen in History. */
  feedback?: { label: string; givenAt: string };
  /** A small JPEG of the photo for History; never sent. */
  thumbnail?: Blob;
  state: SyncState;
  /** Why the server refused the entry (dead letter), or why its feedback was refused. */
  rejectReason?: string;
  syncedAt?: string;
}

/** The device's registration with the server. */
export interface DeviceCredentials {
  deviceId: string;
  token: string;
}

interface LogSchema extends DBSchema {
  predictions: {
    key: string;
    value: OutboxEntry;
    indexes: { 'by-state': SyncState; 'by-created': string };
  };
  /** Feedback given on a prediction, until the server acknowledged it. */
  feedback: { key: string; value: { id: string; label: string } };
  meta: { key: string; value: unknown };
  /** The species of each pack version that made a prediction, so History names them even after the pack is gone. */
  labels: { key: [string, number]; value: PackRef & { labels: Label[] } };
}

/** Counts shown on the Status screen. */
export interface LogCounts {
  pending: number;
  rejected: number;
  synced: number;
  feedbackPending: number;
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

/**
 * Version 1 logged pack versions as strings ("3") and thumbnails as data: URLs; version 2 keeps
 * versions as numbers, like the rest of the app, and thumbnails as Blobs. Synchronous conversions
 * only: the upgrade transaction closes at the first await on anything but itself.
 */
async function upgradeEntriesToV2(
  tx: IDBPTransaction<LogSchema, StoreNames<LogSchema>[], 'versionchange'>,
): Promise<void> {
  let cursor = await tx.objectStore('predictions').openCursor();
  while (cursor) {
    const old = cursor.value as unknown as {
      model: { name: string; version: unknown };
      thumbnail?: unknown;
    };
    const entry = { ...cursor.value };
    if (typeof old.model.version === 'string' && /^[1-9][0-9]{0,9}$/.test(old.model.version))
      entry.model = { name: old.model.name, version: Number(old.model.version) };
    if (typeof old.thumbnail === 'string') {
      const thumbnail = dataUrlToBlob(old.thumbnail);
      if (thumbnail) entry.thumbnail = thumbnail;
      else delete entry.thumbnail;
    }
    await cursor.update(entry);
    cursor = await cursor.continue();
  }
}

function dataUrlToBlob(url: string): Blob | undefined {
  const match = /^data:([^;,]+);base64,(.*)$/.exec(url);
  if (!match) return undefined;
  try {
    const bytes = Uint8Array.from(atob(match[2]!), (c) => c.charCodeAt(0));
    return new Blob([bytes], { type: match[1] });
  } catch {
    return undefined;
  }
}
