/**
 * Model packs on this device, in IndexedDB database `fishlens-models` (idb). Every file is a Blob
 * of its own record, written one file per transaction after it was downloaded and verified (never
 * a fetch inside a transaction); a version's `packs` record is written only once all its files
 * are stored, and which version is current changes in one transaction (`switchCurrentVersion`).
 * Per model we keep the current version and the previous one, for roll back.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ManifestEntry, PackMetadata } from '../../shared/pack';

export const MODELS_DB_NAME = 'fishlens-models';
const MODELS_DB_VERSION = 1;

/** A version whose files are all stored and were verified when they arrived. */
export interface InstalledPackVersion {
  name: string;
  version: number;
  metadata: PackMetadata;
  files: ManifestEntry[];
  sizeBytes: number;
  /** ISO time the registry created the version, and when this device stored it. */
  createdAt: string;
  installedAt: string;
}

/** Which installed versions of a model are current (used) and previous (kept for roll back). */
export interface InstalledModel {
  name: string;
  current: number;
  previous: number | null;
}

interface StoredFile {
  name: string;
  version: number;
  path: string;
  sha256: string;
  blob: Blob;
}

type Preference = { key: 'active'; name: string } | { key: 'autoUpdate'; enabled: boolean };

interface ModelsDB extends DBSchema {
  files: {
    key: [string, number, string];
    value: StoredFile;
    indexes: { byVersion: [string, number] };
  };
  versions: { key: [string, number]; value: InstalledPackVersion; indexes: { byName: string } };
  models: { key: string; value: InstalledModel };
  preferences: { key: Preference['key']; value: Preference };
}

let dbPromise: Promise<IDBPDatabase<ModelsDB>> | null = null;

/** Opens (and on first use creates or upgrades) the model pack database; one connection per page. */
export function openModelsDb(): Promise<IDBPDatabase<ModelsDB>> {
  dbPromise ??= openDB<ModelsDB>(MODELS_DB_NAME, MODELS_DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        const files = db.createObjectStore('files', { keyPath: ['name', 'version', 'path'] });
        files.createIndex('byVersion', ['name', 'version']);
        const versions = db.createObjectStore('versions', { keyPath: ['name', 'version'] });
        versions.createIndex('byName', 'name');
        db.createObjectStore('models', { keyPath: 'name' });
        db.createObjectStore('preferences', { keyPath: 'key' });
      }
    },
    blocking() {
      // A newer tab wants to upgrade the schema: let it, and reopen on next use.
      void dbPromise?.then((db) => db.close());
      dbPromise = null;
    },
  }).catch((error: unknown) => {
    dbPromise = null;
    throw error;
  });
  return dbPromise;
}

/** Stores one verified file of a version (one short transaction per file, so shards of many MB are fine). */
export async function putPackFile(
  name: string,
  version: number,
  entry: ManifestEntry,
  bytes: ArrayBuffer,
): Promise<void> {
  const db = await openModelsDb();
  const blob = new Blob([bytes]);
  await db.put('files', { name, version, path: entry.path, sha256: entry.sha256, blob });
}

/** The stored files of one version, by path. */
export async function readPackFiles(name: string, version: number): Promise<Map<string, Blob>> {
  const db = await openModelsDb();
  const rows = await db.getAllFromIndex('files', 'byVersion', [name, version]);
  return new Map(rows.map((row) => [row.path, row.blob]));
}

/** Marks a version complete (all files stored); it is not used until `switchCurrentVersion`. */
export async function putInstalledVersion(record: InstalledPackVersion): Promise<void> {
  const db = await openModelsDb();
  await db.put('versions', record);
}

/** One installed version, or undefined. */
export async function getInstalledVersion(
  name: string,
  version: number,
): Promise<InstalledPackVersion | undefined> {
  const db = await openModelsDb();
  return db.get('versions', [name, version]);
}

/**
 * Makes `version` the current one of `name` in one transaction; the old current becomes the
 * previous one, and the model becomes the active pack when none is. Returns versions no longer
 * referenced (older than previous), for `deleteVersion`.
 */
export async function switchCurrentVersion(name: string, version: number): Promise<number[]> {
  const db = await openModelsDb();
  const tx = db.transaction(['versions', 'models', 'preferences'], 'readwrite');
  const versions = await tx.objectStore('versions').index('byName').getAllKeys(name);
  if (!versions.some(([, v]) => v === version)) {
    tx.abort();
    await tx.done.catch(() => {});
    throw new Error(`version ${version} of ${name} is not installed`);
  }
  const models = tx.objectStore('models');
  const old = await models.get(name);
  const previous = old && old.current !== version ? old.current : (old?.previous ?? null);
  await models.put({ name, current: version, previous: previous === version ? null : previous });
  const preferences = tx.objectStore('preferences');
  if (!(await preferences.get('active'))) await preferences.put({ key: 'active', name });
  await tx.done;
  return versions.map(([, v]) => v).filter((v) => v !== version && v !== previous);
}

/** Swaps current and previous (roll back, and roll forward again); false when there is no previous. */
export async function swapToPreviousVersion(name: string): Promise<boolean> {
  const db = await openModelsDb();
  const tx = db.transaction('models', 'readwrite');
  const model = await tx.store.get(name);
  const swapped = model?.previous != null;
  if (model && model.previous != null)
    await tx.store.put({ name, current: model.previous, previous: model.current });
  await tx.done;
  return swapped;
}

/** Deletes one version's files and record; a version that is current or previous loses that role. */
export async function deleteVersion(name: string, version: number): Promise<void> {
  const db = await openModelsDb();
  const tx = db.transaction(['files', 'versions', 'models'], 'readwrite');
  const fileKeys = await tx.objectStore('files').index('byVersion').getAllKeys([name, version]);
  await Promise.all(fileKeys.map((key) => tx.objectStore('files').delete(key)));
  await tx.objectStore('versions').delete([name, version]);
  const model = await tx.objectStore('models').get(name);
  if (model?.previous === version) await tx.objectStore('models').put({ ...model, previous: null });
  else if (model?.current === version) {
    if (model.previous != null)
      await tx.objectStore('models').put({ name, current: model.previous, previous: null });
    else await tx.objectStore('models').delete(name);
  }
  await tx.done;
}

/** Removes a model from the device (every version); the active pack moves to another installed model. */
export async function deleteModel(name: string): Promise<void> {
  const db = await openModelsDb();
  const versions = await db.getAllKeysFromIndex('versions', 'byName', name);
  for (const [, version] of versions) await deleteVersion(name, version);
  const tx = db.transaction(['models', 'preferences'], 'readwrite');
  await tx.objectStore('models').delete(name);
  const active = await tx.objectStore('preferences').get('active');
  if (active?.key === 'active' && active.name === name) {
    const other = await tx.objectStore('models').getAllKeys();
    if (other[0]) await tx.objectStore('preferences').put({ key: 'active', name: other[0] });
    else await tx.objectStore('preferences').delete('active');
  }
  await tx.done;
}

/** Every installed model with its current and previous version records. */
export async function listInstalledModels(): Promise<
  { model: InstalledModel; current: InstalledPackVersion; previous: InstalledPackVersion | null }[]
> {
  const db = await openModelsDb();
  const tx = db.transaction(['models', 'versions'], 'readonly');
  const models = await tx.objectStore('models').getAll();
  const result = [];
  for (const model of models) {
    const current = await tx.objectStore('versions').get([model.name, model.current]);
    const previous =
      model.previous != null
        ? await tx.objectStore('versions').get([model.name, model.previous])
        : undefined;
    if (current) result.push({ model, current, previous: previous ?? null });
  }
  await tx.done;
  return result;
}

/** Names the model the Identify screen uses (it must be installed). */
export async function setActiveModel(name: string): Promise<void> {
  const db = await openModelsDb();
  await db.put('preferences', { key: 'active', name });
}

/** The active model and its current version, or null when no pack is installed. */
export async function getActiveVersion(): Promise<InstalledPackVersion | null> {
  const db = await openModelsDb();
  const tx = db.transaction(['preferences', 'models', 'versions'], 'readonly');
  const active = await tx.objectStore('preferences').get('active');
  const name = active?.key === 'active' ? active.name : undefined;
  let model = name ? await tx.objectStore('models').get(name) : undefined;
  // No preference, or it names a deleted model: fall back to any installed one.
  model ??= (await tx.objectStore('models').getAll())[0];
  const current = model
    ? await tx.objectStore('versions').get([model.name, model.current])
    : undefined;
  await tx.done;
  return current ?? null;
}

/** Whether new versions of installed models are installed without asking. */
export async function getAutoUpdate(): Promise<boolean> {
  const db = await openModelsDb();
  const pref = await db.get('preferences', 'autoUpdate');
  return pref?.key === 'autoUpdate' ? pref.enabled : false;
}

/** Turns automatic model updates on or off. */
export async function setAutoUpdate(enabled: boolean): Promise<void> {
  const db = await openModelsDb();
  await db.put('preferences', { key: 'autoUpdate', enabled });
}
