/** The records of the prediction log (IndexedDB database `fishlens-log`), see prediction-log.ts. */
import type { DBSchema } from 'idb';
import type { Label, PackRef } from '../../shared/pack';

export type SyncState = 'pending' | 'synced' | 'rejected';

/** One prediction as logged on the device; the fields sent to the server plus local state. */
export interface OutboxEntry {
  /** A UUID made on the device: the idempotency key on the server. */
  id: string;
  createdAt: string;
  model: PackRef;
  top: { label: string; probability: number }[];
  notSure: boolean;
  /** The photo showed none of the pack's species (the "unknown" decision); History says so. Never sent. */
  unknown?: true;
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

export interface LogSchema extends DBSchema {
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
