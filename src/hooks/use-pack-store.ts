import { useEffect, useState } from 'preact/hooks';
import { packState, subscribePacks, type PackStoreState } from '../registry/pack-store';

/** The page's pack store snapshot (installs, errors, updates), re-rendering on every change. */
export function usePackStore(): PackStoreState {
  const [snapshot, setSnapshot] = useState(packState);
  useEffect(() => {
    setSnapshot(packState());
    return subscribePacks(() => setSnapshot(packState()));
  }, []);
  return snapshot;
}
