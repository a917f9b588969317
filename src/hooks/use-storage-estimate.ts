import { useCallback, useEffect, useState } from 'preact/hooks';
import type { StorageView } from '../ui/StorageInfo';

async function readEstimate(): Promise<StorageView> {
  const storage = navigator.storage as StorageManager | undefined;
  if (!storage?.estimate) return { usage: null, quota: null, persisted: null };
  const [estimate, persisted] = await Promise.all([
    storage.estimate(),
    storage.persisted?.() ?? Promise.resolve(null),
  ]);
  return { usage: estimate.usage ?? null, quota: estimate.quota ?? null, persisted };
}

/**
 * The browser's storage estimate, read again whenever `revision` changes (packs installed or
 * deleted); `persist` asks for persistent storage, so the browser does not evict packs.
 */
export function useStorageEstimate(revision: unknown): {
  estimate: StorageView;
  persist: () => Promise<void>;
} {
  const [estimate, setEstimate] = useState<StorageView>({
    usage: null,
    quota: null,
    persisted: null,
  });
  const refresh = useCallback(() => readEstimate().then(setEstimate), []);
  useEffect(() => {
    void refresh();
  }, [refresh, revision]);
  const persist = useCallback(async () => {
    await navigator.storage?.persist?.();
    await refresh();
  }, [refresh]);
  return { estimate, persist };
}
