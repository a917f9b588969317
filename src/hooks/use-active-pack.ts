/**
 * The classifier of the active pack, loaded once per page and kept across screens (going to
 * History and back does not reload the model). When the active pack changes (an update switched
 * in, a roll back, another pack chosen) the old classifier is released and the new pack loads.
 */
import { useEffect } from 'preact/hooks';
import { createStore, useStore } from './store';
import { errorCode, FishlensError, isAbortError } from '../../shared/errors';
import type { PackRef } from '../../shared/pack';
import { loadClassifier } from '../classifier';
import type { Classifier } from '../classifier/types';
import { pageOptions } from '../page-options';
import {
  hasActivePack,
  onActivePackChanged,
  packState,
  prepareActivePack,
} from '../registry/pack-store';

export type ActivePackState =
  | { state: 'loading'; pack?: PackRef }
  | { state: 'ready'; classifier: Classifier }
  /** No pack on the device: the person chooses one (the first start). */
  | { state: 'choose' }
  | { state: 'error'; error: unknown };

const store = createStore<ActivePackState>({ state: 'loading' });
let loading: AbortController | undefined;
const set = (next: ActivePackState) => store.set(next);

const samePack = (a: PackRef | null | undefined, b: PackRef | null | undefined) =>
  a?.name === b?.name && a?.version === b?.version;

function currentPack(): PackRef | undefined {
  const state = store.get();
  return state.state === 'ready'
    ? state.classifier.pack
    : state.state === 'loading'
      ? state.pack
      : undefined;
}

/** Starts loading the active pack's classifier (once; again after a failure or a pack change). */
function load(): void {
  if (loading) return;
  const controller = new AbortController();
  loading = controller;
  const options = pageOptions();
  set({ state: 'loading' });
  void (async () => {
    try {
      // The first start has no pack and so no worker: its backend (a WASM module of 400 kB and
      // its threads) would compete with the pack choice for the network and the processor.
      if (!options.model && !(await hasActivePack())) throw new FishlensError('not-installed');
      const pack = prepareActivePack({ name: options.model, signal: controller.signal });
      void pack.then(
        ({ ref }) => loading === controller && set({ state: 'loading', pack: ref }),
        () => {},
      );
      // The worker and its backend start while the pack is read from storage.
      const loaded: { classifier?: Classifier } = {};
      const classifier = await loadClassifier(pack, {
        backends: options.backends,
        executor: options.executor,
        wasmThreads: options.wasmThreads,
        signal: controller.signal,
        // A classifier that was ready and then died or got stuck: load a fresh one, so the next
        // photo works (the photo in flight gets the error). One that fails while loading is an
        // error with a retry button instead, not a loop of reloads.
        onFailure: () => {
          const state = store.get();
          if (state.state === 'ready' && state.classifier === loaded.classifier) reload();
        },
      });
      loaded.classifier = classifier;
      if (loading !== controller) return classifier.dispose();
      loading = undefined;
      set({ state: 'ready', classifier });
      // The active pack changed while this one loaded: load that one instead.
      const { active } = packState();
      if (active && !samePack(active, classifier.pack)) reload();
    } catch (error) {
      if (loading !== controller || isAbortError(error)) return;
      if (errorCode(error) === 'not-installed') return set({ state: 'choose' });
      console.error('model load failed', error);
      set({ state: 'error', error });
    } finally {
      if (loading === controller) loading = undefined;
    }
  })();
}

/** Drops the classifier (or the load in progress) and loads the active pack again. */
function reload(): void {
  loading?.abort();
  loading = undefined;
  const previous = store.get();
  if (previous.state === 'ready') previous.classifier.dispose();
  set({ state: 'loading' });
  if (store.watched()) load();
}

onActivePackChanged((active) => {
  // While the pack is being chosen (installed, activated) the load itself decides, see load().
  const state = store.get();
  if (state.state === 'loading' && !state.pack) return;
  if (!samePack(active, currentPack())) reload();
});

/** The active pack's classifier state for rendering; the first user starts the load. */
export function useActivePack(): { status: ActivePackState; retry: () => void } {
  const status = useStore(store);
  useEffect(() => {
    if (store.get().state === 'loading' && !loading) load();
  }, []);
  return { status, retry: reload };
}

/** The classifier when one is ready (debug hooks). */
export function readyClassifier(): Classifier | undefined {
  const state = store.get();
  return state.state === 'ready' ? state.classifier : undefined;
}
