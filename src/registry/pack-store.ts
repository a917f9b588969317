/**
 * The page's one view of model packs, shared by every screen: what is installed and active,
 * running installs (progress, cancel), the last failure per model, the registry list from the last
 * version check, and an event when the pack in use changes so the classifier reloads. Screens read
 * the snapshot and call the actions here; only this module and the installer touch pack storage.
 * Installs outlive the screen that started them.
 */
import { FishlensError, isAbortError } from '../../shared/errors';
import type { PackRef } from '../../shared/pack';
import { loadClassifier } from '../classifier';
import type { LoadedPack } from '../classifier/types';
import { openPackStorage } from '../storage/model-packs';
import { createInstaller } from './installer';
import { INITIAL_PACK_STORE_STATE, type PackStoreState } from './pack-store-state';

export type { PackStoreState } from './pack-store-state';

const storage = openPackStorage();

/** The installer the app runs: the browser's fetch, IndexedDB, and a real classifier as warm-up. */
export const installer = createInstaller({
  fetch: (...args) => fetch(...args),
  storage,
  warmUp: async (pack, signal) => (await loadClassifier(pack, { signal })).dispose(),
  persist: () => navigator.storage?.persist?.() ?? Promise.resolve(false),
});

let state: PackStoreState = INITIAL_PACK_STORE_STATE;
const listeners = new Set<() => void>();
const activeListeners = new Set<(active: PackRef | null) => void>();
const controllers = new Map<string, AbortController>();

function set(patch: Partial<PackStoreState>): void {
  const before = state.active;
  state = { ...state, ...patch };
  for (const listener of listeners) listener();
  const after = state.active;
  if (before?.name !== after?.name || before?.version !== after?.version)
    for (const listener of activeListeners) listener(after);
}

/** Re-reads what is installed and active; every action that changes storage ends with it. */
export async function refreshPacks(): Promise<void> {
  const [installed, active, autoUpdate] = await Promise.all([
    storage.listModels(),
    storage.getActive(),
    storage.getAutoUpdate(),
  ]);
  set({
    loaded: true,
    installed,
    active: active ? { name: active.name, version: active.version } : null,
    autoUpdate,
  });
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

/**
 * Calls `listener` when the pack the Identify screen should run changes (an update switched in,
 * roll back, another pack chosen, deleted). Returns the unsubscribe function.
 */
export function onActivePackChanged(listener: (active: PackRef | null) => void): () => void {
  activeListeners.add(listener);
  return () => activeListeners.delete(listener);
}

/** Runs a change of installed packs, then shows its result. */
async function changing(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } finally {
    await refreshPacks();
  }
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
    await installer.install(name, {
      signal: controller.signal,
      onProgress: ({ version, loaded, total }) =>
        set({ installs: { ...state.installs, [name]: { version, loaded, total } } }),
      // A warm-up only protects a pack already in use (the first pack chosen has none).
      warmUp: (await storage.getActive()) !== null,
    });
    set({ updates: state.updates.filter((u) => u.name !== name) });
  } catch (error) {
    if (!isAbortError(error)) {
      console.warn(`Installing ${name} failed`, error);
      const failure =
        error instanceof FishlensError
          ? error
          : new FishlensError('storage-unavailable', String(error));
      set({ errors: { ...state.errors, [name]: failure } });
    }
  } finally {
    controllers.delete(name);
    const { [name]: _done, ...installs } = state.installs;
    set({ installs });
    await refreshPacks();
  }
}

/** Cancels a running install of `name`; the version in use is untouched. */
export function cancelInstall(name: string): void {
  controllers.get(name)?.abort();
}

/** Makes an installed model the one the Identify screen uses. */
export const activateModel = (name: string) => changing(() => storage.setActive(name));

/**
 * Makes `name` the pack the Identify screen uses: at once when it is installed (offline too),
 * else once it is downloaded (progress and cancel in `installs`, a failure in `errors`).
 */
export async function choosePack(name: string): Promise<void> {
  const installed = () => state.installed.some((m) => m.model.name === name);
  if (!installed()) {
    await startInstall(name);
    if (!installed()) return; // cancelled or failed
  }
  await activateModel(name);
}

/** One stored file of an installed pack version (a reference photo), or undefined. */
export const readPackFile = (ref: PackRef, path: string) => storage.readFile(ref, path);

/** Swaps a model's current and previous versions. */
export const rollBack = (name: string) => changing(() => storage.swapToPrevious(name));

/**
 * Removes a model and all its versions from the device; Identify moves to another installed pack
 * (see `activeAfterDelete`), or has none and offers the choice of packs.
 */
export const deleteModel = (name: string) => changing(() => storage.deleteModel(name));

/** Turns automatic installs of new versions on or off. */
export const setAutoUpdate = (enabled: boolean) => changing(() => storage.setAutoUpdate(enabled));

/**
 * Compares installed versions with the registry's alias; with automatic updates on, installs
 * the new versions. Offline, records `checkError` and leaves everything as it is.
 */
export async function checkPackUpdates(): Promise<void> {
  if (state.checking) return;
  set({ checking: true });
  try {
    const { updates, registry } = await installer.checkForUpdates();
    set({ updates, registry, checkError: null, checkedAt: new Date().toISOString() });
    if (updates.length > 0 && (await storage.getAutoUpdate())) {
      for (const update of updates) await startInstall(update.name);
    }
  } catch (error) {
    set({
      checkError:
        error instanceof FishlensError ? error : new FishlensError('network', String(error)),
    });
  } finally {
    set({ checking: false });
  }
}

/**
 * Keeps the snapshot current for the page's life: reads what is installed, checks the registry
 * for updates now and whenever the network comes back. Returns the function that stops it.
 */
export function watchPacks(): () => void {
  void refreshPacks();
  const online = () => void checkPackUpdates();
  if (navigator.onLine) online();
  window.addEventListener('online', online);
  return () => window.removeEventListener('online', online);
}

/** Whether a pack is installed to load (one small read, no files). */
export async function hasActivePack(): Promise<boolean> {
  return (await storage.getActive()) !== null;
}

/**
 * The verified active pack, for the classifier; `not-installed` when none is (the person chooses
 * one first: nothing is downloaded unasked). `name` (the `?model=` page flag of tests and the
 * bench) installs that pack if needed and makes it the active one first.
 */
export async function prepareActivePack(
  options: { name?: string; signal?: AbortSignal } = {},
): Promise<LoadedPack> {
  const { name, signal } = options;
  try {
    if (name) {
      const installed = (await storage.listModels()).some((m) => m.model.name === name);
      // As with the first pack chosen, a warm-up only protects a pack already in use.
      if (!installed)
        await installer.install(name, { signal, warmUp: !!(await storage.getActive()) });
      await storage.setActive(name);
    }
    return await installer.loadActive(signal);
  } finally {
    await refreshPacks();
  }
}
