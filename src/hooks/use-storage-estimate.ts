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
 * deleted); `persist` asks for persistent storage, so the browser does not evict packs, and
 * `persistAnswer` is the browser's answer to the last time it was asked here.
 */
export function useStorageEstimate(revision: unknown): {
  estimate: StorageView;
  /** Asks; `announce: false` for the app's own ask (before a download), whose answer is not shown. */
  persist: (announce?: boolean) => Promise<void>;
  persistAnswer: boolean | null;
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
  const [persistAnswer, setPersistAnswer] = useState<boolean | null>(null);
  const persist = useCallback(
    async (announce = true) => {
      const granted = (await navigator.storage?.persist?.()) ?? false;
      if (announce) setPersistAnswer(granted);
      await refresh();
    },
    [refresh],
  );
  return { estimate, persist, persistAnswer };
}
