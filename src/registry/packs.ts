/**
 * Installing and updating model packs safely: download every file with progress and cancel,
 * verify each one (size + sha256), store it, re-read and warm the new version up, and only then
 * switch to it in one step. Until that switch the version in use keeps working; a failed or
 * cancelled install leaves nothing behind.
 */
import type { ModelSummary, ModelVersionInfo } from '../../shared/models-api';
import type { LoadedPack } from '../model/types';
import {
  deleteVersion,
  getActiveVersion,
  getInstalledVersion,
  listInstalledModels,
  putInstalledVersion,
  putPackFile,
  switchCurrentVersion,
  type InstalledPackVersion,
} from '../storage/model-packs';
import { downloadVerifiedFile } from './download';
import { isAbortError, isQuotaError, PackError, throwIfAborted, toPackError } from './errors';
import { loadActivePack, loadInstalledVersion } from './installed';
import { fetchVersionInfo, listRegistryModels } from './network-pack';

/** The pack a new user gets on the first online visit. */
export const DEFAULT_MODEL = 'river-fish';

/** Bytes received so far out of the version's total. */
export interface InstallProgress {
  name: string;
  version: number;
  loaded: number;
  total: number;
}

export interface InstallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: InstallProgress) => void;
  /** Loads the verified pack into a classifier (and disposes it); a failure refuses the version. */
  warmUp?: (pack: LoadedPack, signal?: AbortSignal) => Promise<void>;
}

/**
 * Installs the version of `name` behind `alias` (production) and makes it current. Returns the
 * installed record; an already installed version is only switched to.
 */
export async function installModel(
  name: string,
  alias = 'production',
  options: InstallOptions = {},
): Promise<InstalledPackVersion> {
  let info: ModelVersionInfo;
  try {
    info = await fetchVersionInfo(name, { alias, signal: options.signal });
  } catch (error) {
    throw toPackError(error);
  }
  return installVersion(info, options);
}

/** Installs an already fetched version description; see `installModel`. */
export async function installVersion(
  info: ModelVersionInfo,
  options: InstallOptions = {},
): Promise<InstalledPackVersion> {
  const { signal, onProgress, warmUp } = options;
  const existing = await getInstalledVersion(info.name, info.version);
  if (existing) {
    await switchAndPrune(info.name, info.version);
    return existing;
  }
  const total = info.files.reduce((sum, f) => sum + f.size, 0);
  let loaded = 0;
  onProgress?.({ name: info.name, version: info.version, loaded, total });
  try {
    for (const file of info.files) {
      const bytes = await downloadVerifiedFile(file, {
        signal,
        onBytes: (n) => {
          loaded += n;
          onProgress?.({ name: info.name, version: info.version, loaded, total });
        },
      });
      throwIfAborted(signal);
      await storing(() => putPackFile(info.name, info.version, file, bytes));
    }
    const record: InstalledPackVersion = {
      name: info.name,
      version: info.version,
      metadata: info.metadata,
      files: info.files.map(({ path, size, sha256 }) => ({ path, size, sha256 })),
      sizeBytes: total,
      createdAt: info.createdAt,
      installedAt: new Date().toISOString(),
    };
    await storing(() => putInstalledVersion(record));
    // Read back what was stored and check it again: this is exactly what will run later.
    const pack = await loadInstalledVersion(record, signal);
    if (warmUp) {
      try {
        await warmUp(pack, signal);
      } catch (error) {
        if (isAbortError(error)) throw error;
        throw new PackError('warm-up-failed', { cause: error });
      }
    }
    throwIfAborted(signal);
    await switchAndPrune(info.name, info.version);
    return record;
  } catch (error) {
    await deleteVersion(info.name, info.version).catch(() => {});
    throw error;
  }
}

async function storing<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw new PackError(isQuotaError(error) ? 'storage-full' : 'storage-unavailable', {
      cause: error,
    });
  }
}

async function switchAndPrune(name: string, version: number): Promise<void> {
  const unused = await switchCurrentVersion(name, version);
  for (const old of unused) await deleteVersion(name, old);
}

/** An installed model whose registry alias names a newer version. */
export interface PackUpdate {
  name: string;
  installed: number;
  available: number;
  sizeBytes: number;
}

/** Compares every installed model with the registry's list; the summaries come back too, for display. */
export async function checkForUpdates(
  signal?: AbortSignal,
): Promise<{ updates: PackUpdate[]; registry: ModelSummary[] }> {
  const [registry, installed] = await Promise.all([
    listRegistryModels({ signal }).catch((error: unknown) => {
      throw toPackError(error);
    }),
    listInstalledModels(),
  ]);
  const updates: PackUpdate[] = [];
  for (const { model } of installed) {
    const remote = registry.find((m) => m.name === model.name);
    if (remote && remote.version > model.current && remote.version !== model.previous) {
      updates.push({
        name: model.name,
        installed: model.current,
        available: remote.version,
        sizeBytes: remote.sizeBytes,
      });
    }
  }
  return { updates, registry };
}

/**
 * The active pack for the Identify screen. With none installed, downloads the default pack
 * (river-fish) once; offline with none installed it fails with `no-pack-offline`.
 */
export async function ensureActivePack(
  options: Omit<InstallOptions, 'warmUp'> = {},
): Promise<LoadedPack> {
  if (!(await getActiveVersion())) {
    try {
      await installModel(DEFAULT_MODEL, 'production', options).catch(async (error: unknown) => {
        // A registry without river-fish (a private install): take its first pack instead.
        if (!(error instanceof PackError && error.code === 'not-in-registry')) throw error;
        let models;
        try {
          models = await listRegistryModels({ signal: options.signal });
        } catch (listError) {
          throw toPackError(listError);
        }
        const first = models[0];
        if (!first) throw error;
        return installModel(first.name, 'production', options);
      });
    } catch (error) {
      if (error instanceof PackError && error.code === 'network')
        throw new PackError('no-pack-offline', { cause: error });
      throw error;
    }
    // The first pack is what makes the app work offline: ask the browser not to evict it.
    await navigator.storage?.persist?.().catch(() => false);
  }
  return loadActivePack(options.signal);
}
