/**
 * The page's one view of model packs, shared by every screen: running installs (progress,
 * cancel), the last failure per model, the registry list from the last version check, and an
 * event when the pack in use changes so the Identify screen reloads its classifier. Installs
 * outlive the screen that started them.
 */
import type { ModelSummary } from '../../shared/models-api';
import { getActiveVersion, getAutoUpdate, listInstalledModels } from '../storage/model-packs';
import { loadClassifier } from '../model';
import type { LoadedPack } from '../model/types';
import { isAbortError, PackError } from './errors';
import { checkForUpdates, installModel, type PackUpdate } from './packs';

/** A running install of one model. */
export interface RunningInstall {
  version: number;
  loaded: number;
  total: number;
}

/** A snapshot for rendering; replaced (never mutated) on every change. */
export interface PackStoreState {
  installs: Record<string, RunningInstall>;
  errors: Record<string, PackError>;
  registry: ModelSummary[] | null;
  updates: PackUpdate[];
  checking: boolean;
  /** Why the last version check failed (usually `network` when offline). */
  checkError: PackError | null;
  /** Bumped whenever installed packs or the active pack change. */
  revision: number;
}

let state: PackStoreState = {
  installs: {},
  errors: {},
  registry: null,
  updates: [],
  checking: false,
  checkError: null,
  revision: 0,
};
const listeners = new Set<() => void>();
const controllers = new Map<string, AbortController>();
/**
 * By default a new version is loaded into a real classifier (warm-up runs inside load) and
 * released. If the preferred backends fail (a GPU or WASM-threads problem of this device, not of
 * the pack), the CPU backend decides: a pack that cannot even load there is refused.
 */
let warmUp: ((pack: LoadedPack, signal?: AbortSignal) => Promise<void>) | undefined = async (
  pack,
  signal,
) => {
  // loadClassifier transfers the weight buffers to its worker: give each attempt its own copy.
  const copy = (): LoadedPack => ({
    ...pack,
    weightFiles: Object.fromEntries(
      Object.entries(pack.weightFiles).map(([path, bytes]) => [path, bytes.slice(0)]),
    ),
  });
  let classifier;
  try {
    classifier = await loadClassifier(copy(), { signal });
  } catch (error) {
    if (isAbortError(error)) throw error;
    console.warn('Warm-up on the preferred backends failed; trying the CPU backend', error);
    classifier = await loadClassifier(copy(), { signal, backends: ['cpu'] });
  }
  classifier.dispose();
};

const activeListeners = new Set<(active: { name: string; version: number } | null) => void>();
let lastActive: string | undefined;

function set(patch: Partial<PackStoreState>): void {
  const revised = patch.revision !== undefined && patch.revision !== state.revision;
  state = { ...state, ...patch };
  for (const listener of listeners) listener();
  if (revised) void announceActive();
}

/** Tells `onActivePackChanged` listeners when the active model or its current version changed. */
async function announceActive(): Promise<void> {
  const active = await getActiveVersion().catch(() => null);
  const key = active ? `${active.name}@${active.version}` : '';
  if (lastActive === undefined || key === lastActive) {
    lastActive = key;
    return;
  }
  lastActive = key;
  for (const listener of activeListeners)
    listener(active ? { name: active.name, version: active.version } : null);
}

/**
 * Calls `listener` when the pack the Identify screen should run changes (update switched in,
 * roll back, another pack chosen, deleted). Returns the unsubscribe function.
 */
export function onActivePackChanged(
  listener: (active: { name: string; version: number } | null) => void,
): () => void {
  if (lastActive === undefined) void announceActive();
  activeListeners.add(listener);
  return () => activeListeners.delete(listener);
}

/** The current snapshot. */
export function packState(): PackStoreState {
  return state;
}

/** Calls `listener` after every change; returns the unsubscribe function. */
export function subscribePacks(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tells the store that installed packs or the active choice changed (delete, roll back, use). */
export function packsChanged(): void {
  set({ revision: state.revision + 1 });
}

/** Sets how a new version is warmed up (loaded into a classifier) before it is switched in. */
export function setPackWarmUp(fn: (pack: LoadedPack, signal?: AbortSignal) => Promise<void>): void {
  warmUp = fn;
}

/**
 * Downloads, verifies, warms up and switches in the registry's version of `name`. Resolves when
 * done, cancelled or failed; the failure is kept in `errors[name]` (cancelling records none).
 */
export async function startInstall(name: string): Promise<void> {
  if (controllers.has(name)) return;
  const controller = new AbortController();
  controllers.set(name, controller);
  const { [name]: _dropped, ...errors } = state.errors;
  set({ errors, installs: { ...state.installs, [name]: { version: 0, loaded: 0, total: 0 } } });
  try {
    await installModel(name, 'production', {
      signal: controller.signal,
      warmUp,
      onProgress: ({ version, loaded, total }) =>
        set({ installs: { ...state.installs, [name]: { version, loaded, total } } }),
    });
    set({ updates: state.updates.filter((u) => u.name !== name) });
  } catch (error) {
    if (!isAbortError(error)) {
      console.warn(`Installing ${name} failed`, error);
      set({
        errors: {
          ...state.errors,
          [name]:
            error instanceof PackError
              ? error
              : new PackError('storage-unavailable', { cause: error }),
        },
      });
    }
  } finally {
    controllers.delete(name);
    const { [name]: _done, ...installs } = state.installs;
    set({ installs, revision: state.revision + 1 });
  }
}

/** Cancels a running install of `name`; the version in use is untouched. */
export function cancelInstall(name: string): void {
  controllers.get(name)?.abort();
}

/**
 * Compares installed versions with the registry's alias; with automatic updates on, installs
 * the new versions. Offline, records `checkError` and leaves everything as it is.
 */
export async function checkPackUpdates(options: { autoInstall?: boolean } = {}): Promise<void> {
  if (state.checking) return;
  set({ checking: true });
  try {
    const { updates, registry } = await checkForUpdates();
    set({ updates, registry, checkError: null });
    if (options.autoInstall !== false && updates.length > 0 && (await getAutoUpdate())) {
      for (const update of updates) await startInstall(update.name);
    }
  } catch (error) {
    set({
      checkError: error instanceof PackError ? error : new PackError('network', { cause: error }),
    });
  } finally {
    set({ checking: false });
  }
}

/** Names of installed models, for screens that only need to know whether any pack exists. */
export async function installedModelNames(): Promise<string[]> {
  return (await listInstalledModels()).map(({ model }) => model.name);
}
