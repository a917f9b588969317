/**
 * The one way a model pack reaches the classifier: ask the registry for a version, download every
 * file with progress and cancel, verify each one (size + sha256), store it, read it back and
 * verify it again, warm it up, and only then switch to it in one step. Until that switch the
 * version in use keeps working; a failed or cancelled install leaves nothing behind. Installed
 * packs are re-verified every time they are loaded, so a pack damaged on the device is refused
 * rather than run. Built from injected parts (fetch, storage, warm-up), so tests run it whole.
 */
import { FishlensError, isAbortError, throwIfAborted, type ErrorCode } from '../../shared/errors';
import type { ModelSummary, ModelVersionInfo } from '../../shared/models-api';
import type { PackRef } from '../../shared/pack';
import type { LoadedPack } from '../classifier/types';
import type { InstalledPackVersion, PackStorage } from '../storage/model-packs';
import { createRegistryApi } from './api';
import { downloadVerifiedFile, verifyPackFile } from './download';
import { packSchema, toLoadedPack } from './pack-files';

/** Warm-up failures that name what is wrong with the model itself, passed on as they are. */
const MODEL_REFUSALS = new Set<ErrorCode>([
  'model-unsupported',
  'model-ops-unsupported',
  'model-labels-mismatch',
]);

/** Bytes received so far out of the version's total. */
export interface InstallProgress extends PackRef {
  loaded: number;
  total: number;
}

export interface InstallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: InstallProgress) => void;
  /**
   * Warm the version up before switching to it (default). The first pack of a device skips it:
   * there is no pack in use to protect, and the classifier loads it right after anyway.
   */
  warmUp?: boolean;
}

/** An installed model whose registry alias names a newer version. */
export interface PackUpdate {
  name: string;
  installed: number;
  available: number;
  sizeBytes: number;
}

export interface InstallerParts {
  fetch: typeof fetch;
  storage: PackStorage;
  /** Loads a verified pack into a classifier (and releases it); a failure refuses the version. */
  warmUp: (pack: LoadedPack, signal?: AbortSignal) => Promise<void>;
  /** Asks the browser not to evict stored packs (after the first pack is installed). */
  persist?: () => Promise<unknown>;
}

export type Installer = ReturnType<typeof createInstaller>;

export function createInstaller({ fetch: fetchImpl, storage, warmUp, persist }: InstallerParts) {
  const registry = createRegistryApi(fetchImpl);

  const storing = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      const full =
        error instanceof DOMException && (error.name === 'QuotaExceededError' || error.code === 22);
      throw new FishlensError(
        full ? 'storage-full' : 'storage-unavailable',
        String(error),
        {},
        {
          cause: error,
        },
      );
    }
  };

  const switchAndPrune = async (ref: PackRef): Promise<void> => {
    const unused = await storage.switchCurrent(ref);
    for (const version of unused) await storage.deleteVersion({ name: ref.name, version });
  };

  /** Reads an installed version's files, verifies each one again, and assembles the LoadedPack. */
  const loadVersion = async (
    record: InstalledPackVersion,
    signal?: AbortSignal,
  ): Promise<LoadedPack> => {
    const ref = { name: record.name, version: record.version };
    // Loads while the files are read and checked.
    void packSchema();
    const blobs = await storage.readFiles(ref);
    const files = new Map<string, ArrayBuffer>();
    for (const entry of record.files) {
      throwIfAborted(signal);
      const blob = blobs.get(entry.path);
      if (!blob) throw new FishlensError('incomplete-pack', undefined, { file: entry.path });
      const bytes = await blob.arrayBuffer();
      await verifyPackFile(entry, bytes);
      files.set(entry.path, bytes);
    }
    return toLoadedPack(ref, files);
  };

  /** Installs a version the registry described and makes it current; an installed one is only switched to. */
  const installVersion = async (
    info: ModelVersionInfo,
    { signal, onProgress, warmUp: warm = true }: InstallOptions = {},
  ): Promise<InstalledPackVersion> => {
    const ref = { name: info.name, version: info.version };
    const existing = await storage.getVersion(ref);
    if (existing) {
      await switchAndPrune(ref);
      return existing;
    }
    const total = info.files.reduce((sum, f) => sum + f.size, 0);
    let loaded = 0;
    onProgress?.({ ...ref, loaded, total });
    try {
      for (const file of info.files) {
        const bytes = await downloadVerifiedFile(fetchImpl, file, {
          signal,
          onBytes: (n) => {
            loaded += n;
            onProgress?.({ ...ref, loaded, total });
          },
        });
        throwIfAborted(signal);
        await storing(() => storage.putFile(ref, file, bytes));
      }
      const record: InstalledPackVersion = {
        ...ref,
        metadata: info.metadata,
        files: info.files.map(({ path, size, sha256 }) => ({ path, size, sha256 })),
        sizeBytes: total,
        createdAt: info.createdAt,
        installedAt: new Date().toISOString(),
      };
      await storing(() => storage.putVersion(record));
      // Read back what was stored and check it again: this is exactly what will run later.
      const pack = await loadVersion(record, signal);
      if (warm) {
        try {
          await warmUp(pack, signal);
        } catch (error) {
          if (isAbortError(error)) throw error;
          // A model that can never run here says why; anything else may be this device's trouble.
          if (error instanceof FishlensError && MODEL_REFUSALS.has(error.code)) throw error;
          throw new FishlensError('warm-up-failed', String(error), {}, { cause: error });
        }
      }
      throwIfAborted(signal);
      const first = (await storage.getActive()) === null;
      await switchAndPrune(ref);
      // The first pack is what makes the app work offline: ask the browser not to evict it.
      if (first) await persist?.().catch(() => false);
      return record;
    } catch (error) {
      await storage.deleteVersion(ref).catch(() => {});
      throw error;
    }
  };

  const install = async (
    name: string,
    options: InstallOptions & { alias?: string } = {},
  ): Promise<InstalledPackVersion> =>
    installVersion(
      await registry.versionInfo(name, options.alias ?? 'production', options.signal),
      options,
    );

  /** The active installed pack, verified; `not-installed` when there is none. */
  const loadActive = async (signal?: AbortSignal): Promise<LoadedPack> => {
    const active = await storage.getActive();
    if (!active) throw new FishlensError('not-installed');
    return loadVersion(active, signal);
  };

  return {
    install,
    installVersion,
    loadVersion,
    loadActive,

    /** Compares every installed model with the registry; the registry's list comes back too. */
    async checkForUpdates(
      signal?: AbortSignal,
    ): Promise<{ updates: PackUpdate[]; registry: ModelSummary[] }> {
      const [listed, installed] = await Promise.all([
        registry.listModels(signal),
        storage.listModels(),
      ]);
      const updates: PackUpdate[] = [];
      for (const { model } of installed) {
        const remote = listed.find((m) => m.name === model.name);
        // A newer version that cannot run in the app is no update: the installed one stays.
        if (
          remote &&
          !remote.unusable &&
          remote.version > model.current &&
          remote.version !== model.previous
        ) {
          updates.push({
            name: model.name,
            installed: model.current,
            available: remote.version,
            sizeBytes: remote.sizeBytes,
          });
        }
      }
      return { updates, registry: listed };
    },
  };
}
