/**
 * A value that lives as long as the page and that components re-render on: the module-level
 * state behind the hooks (the identification, the active pack, History's undo, the install
 * offer), which outlives the screen that shows it. Preact's `useSyncExternalStore` would do the
 * same but lives in preact/compat, which the app does not otherwise load.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Store<T> {
  get(): T;
  set(next: T): void;
  /** Calls `listener` after every change; returns what unsubscribes it. */
  subscribe(listener: () => void): () => void;
  /** Whether a component shows the value now. */
  watched(): boolean;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      value = next;
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    watched: () => listeners.size > 0,
  };
}

/** The store's value, re-rendering on every change. */
export function useStore<T>(store: Store<T>): T {
  const [snapshot, setSnapshot] = useState(() => store.get());
  useEffect(() => {
    const unsubscribe = store.subscribe(() => setSnapshot(store.get()));
    // A change between the first render and this effect would otherwise be missed.
    setSnapshot(store.get());
    return unsubscribe;
  }, [store]);
  return snapshot;
}
