import { useEffect, useState } from 'preact/hooks';
import { onLogChange, predictionLog, type PredictionLog } from '../sync';

/**
 * A view of the prediction log, read with `read` now and again after every change in this tab or
 * another; null until the first read finished. `key` names what `read` reads (an entry's id):
 * when it changes, the view is read anew.
 */
export function useLog<T>(read: (log: PredictionLog) => Promise<T>, key?: string): T | null {
  const [view, setView] = useState<T | null>(null);
  useEffect(() => {
    let alive = true;
    const load = async () => {
      const next = await read(await predictionLog());
      if (alive) setView(next);
    };
    void load();
    const unsubscribe = onLogChange(() => void load());
    return () => {
      alive = false;
      unsubscribe();
    };
    // `read` is fixed for a given `key` (a module-level function, or one closing over `key`).
  }, [key]);
  return view;
}
