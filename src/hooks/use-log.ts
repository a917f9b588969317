import { useEffect, useState } from 'preact/hooks';
import { onLogChange, predictionLog, type PredictionLog } from '../sync';

/**
 * A view of the prediction log, read with `read` now and again after every change in this tab or
 * another; null until the first read finished.
 */
export function useLog<T>(read: (log: PredictionLog) => Promise<T>): T | null {
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
    // `read` is a module-level function of its screen: one subscription per mount.
  }, []);
  return view;
}
