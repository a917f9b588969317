/**
 * Model packs on this device, in IndexedDB database `fishlens-models` (idb). Every file is a Blob
 * of its own record, written one file per transaction after it was downloaded and verified (never
 * a fetch inside a transaction); a version's record is written only once all its files are
 * stored, and which version is current changes in one transaction (`switchCurrent`). Per model we
 * keep the current version and the previous one, for roll back.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ManifestEntry, PackMetadata, PackRef } from '../../shared/pack';

export const MODELS_DB_NAME = 'fishlens-models';
const MODELS_DB_VERSION = 1;

/** A version whose files are all stored and were verified when they arrived. */
export interface InstalledPackVersion extends PackRef {
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

/** An installed model with its current and previous version records. */
export interface InstalledModelVersions {
  model: InstalledModel;
  current: InstalledPackVersion;
  previous: InstalledPackVersion | null;
}

interface StoredFile extends PackRef {
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

/** The installed packs of this device; the installer and the pack store get one injected. */
export interface PackStorage {
  /** Stores one verified file (one short transaction per file, so shards of many MB are fine). */
  putFile(ref: PackRef, entry: ManifestEntry, bytes: ArrayBuffer): Promise<void>;
  /** The stored files of one version, by path. */
  readFiles(ref: PackRef): Promise<Map<string, Blob>>;
  /** One stored file of a version (a reference photo, say), or undefined. */
  readFile(ref: PackRef, path: string): Promise<Blob | undefined>;
  /** Marks a version complete (all files stored); it is not used until `switchCurrent`. */
  putVersion(record: InstalledPackVersion): Promise<void>;
  getVersion(ref: PackRef): Promise<InstalledPackVersion | undefined>;
  /**
   * Makes `ref` the current version of its model in one transaction; the old current becomes the
   * previous one, and the model becomes the active pack when none is. Returns the versions no
   * longer referenced (older than previous), for `deleteVersion`.
   */
  switchCurrent(ref: PackRef): Promise<number[]>;
  /** Swaps current and previous (roll back, and forward again); false when there is no previous. */
  swapToPrevious(name: string): Promise<boolean>;
  /** Deletes one version's files and record; a current or previous version loses that role. */
  deleteVersion(ref: PackRef): Promise<void>;
  /** Removes a model (every version); the active pack moves to another installed model. */
  deleteModel(name: string): Promise<void>;
  listModels(): Promise<InstalledModelVersions[]>;
  /** Names the model the Identify screen uses (it must be installed). */
  setActive(name: string): Promise<void>;
  /** The active model's current version, or null when no pack is installed. */
  getActive(): Promise<InstalledPackVersion | null>;
  getAutoUpdate(): Promise<boolean>;
  setAutoUpdate(enabled: boolean): Promise<void>;
}

function openModelsDb(name: string): Promise<IDBPDatabase<ModelsDB>> {
  return openDB<ModelsDB>(name, MODELS_DB_VERSION, {
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
  });
}

/** The pack storage in IndexedDB database `name`; the connection opens on first use. */
export function openPackStorage(name = MODELS_DB_NAME): PackStorage {
  let dbPromise: Promise<IDBPDatabase<ModelsDB>> | null = null;
  const open = (): Promise<IDBPDatabase<ModelsDB>> => {
    dbPromise ??= openModelsDb(name).then(
      (db) => {
        // A newer tab wants to upgrade the schema: let it, and reopen on next use.
        db.addEventListener('versionchange', () => {
          db.close();
          dbPromise = null;
        });
        return db;
      },
      (error: unknown) => {
        dbPromise = null;
        throw error;
      },
    );
    return dbPromise;
  };

  const deleteVersion = async ({ name, version }: PackRef): Promise<void> => {
    const db = await open();
    const tx = db.transaction(['files', 'versions', 'models'], 'readwrite');
    const fileKeys = await tx.objectStore('files').index('byVersion').getAllKeys([name, version]);
    await Promise.all(fileKeys.map((key) => tx.objectStore('files').delete(key)));
    await tx.objectStore('versions').delete([name, version]);
    const model = await tx.objectStore('models').get(name);
    if (model?.previous === version)
      await tx.objectStore('models').put({ ...model, previous: null });
    else if (model?.current === version) {
      if (model.previous != null)
        await tx.objectStore('models').put({ name, current: model.previous, previous: null });
      else await tx.objectStore('models').delete(name);
    }
    await tx.done;
  };

  return {
    async putFile({ name, version }, entry, bytes) {
      const db = await open();
      const blob = new Blob([bytes]);
      await db.put('files', { name, version, path: entry.path, sha256: entry.sha256, blob });
    },
    async readFiles({ name, version }) {
      const db = await open();
      const rows = await db.getAllFromIndex('files', 'byVersion', [name, version]);
      return new Map(rows.map((row) => [row.path, row.blob]));
    },
    async readFile({ name, version }, path) {
      return (await (await open()).get('files', [name, version, path]))?.blob;
    },
    async putVersion(record) {
      await (await open()).put('versions', record);
    },
    async getVersion({ name, version }) {
      return (await open()).get('versions', [name, version]);
    },
    async switchCurrent({ name, version }) {
      const db = await open();
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
      await models.put({
        name,
        current: version,
        previous: previous === version ? null : previous,
      });
      const preferences = tx.objectStore('preferences');
      if (!(await preferences.get('active'))) await preferences.put({ key: 'active', name });
      await tx.done;
      return versions.map(([, v]) => v).filter((v) => v !== version && v !== previous);
    },
    async swapToPrevious(name) {
      const db = await open();
      const tx = db.transaction('models', 'readwrite');
      const model = await tx.store.get(name);
      const swapped = model?.previous != null;
      if (model && model.previous != null)
        await tx.store.put({ name, current: model.previous, previous: model.current });
      await tx.done;
      return swapped;
    },
    deleteVersion,
    async deleteModel(name) {
      const db = await open();
      const versions = await db.getAllKeysFromIndex('versions', 'byName', name);
      for (const [, version] of versions) await deleteVersion({ name, version });
      const tx = db.transaction(['models', 'preferences'], 'readwrite');
      await tx.objectStore('models').delete(name);
      const active = await tx.objectStore('preferences').get('active');
      if (active?.key === 'active' && active.name === name) {
        const other = await tx.objectStore('models').getAllKeys();
        if (other[0]) await tx.objectStore('preferences').put({ key: 'active', name: other[0] });
        else await tx.objectStore('preferences').delete('active');
      }
      await tx.done;
    },
    async listModels() {
      const db = await open();
      const tx = db.transaction(['models', 'versions'], 'readonly');
      const models = await tx.objectStore('models').getAll();
      const result: InstalledModelVersions[] = [];
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
    },
    async setActive(name) {
      await (await open()).put('preferences', { key: 'active', name });
    },
    async getActive() {
      const db = await open();
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
    },
    async getAutoUpdate() {
      const pref = await (await open()).get('preferences', 'autoUpdate');
      return pref?.key === 'autoUpdate' ? pref.enabled : false;
    },
    async setAutoUpdate(enabled) {
      await (await open()).put('preferences', { key: 'autoUpdate', enabled });
    },
  };
}
