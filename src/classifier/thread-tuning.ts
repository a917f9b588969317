/**
 * The WASM thread setting warm-up measured for a pack on this device, remembered in localStorage
 * so the next start skips the measurement and starts with the faster setting (one thread then
 * needs no thread pool at all). The worker starts before the pack is read, with the setting of the
 * pack used last. Forgotten when the pack version or the device's core count changes, and after a
 * month, so a new browser or OS gets measured again.
 */
import type { PackRef } from '../../shared/pack';
import type { ThreadTuning } from '../../worker/classifier/protocol';

const KEY = 'fishlens.threadTuning';
const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

interface Entry extends ThreadTuning {
  version: number;
  cores: number;
}
interface Stored {
  last?: string;
  packs: Record<string, Entry>;
}
type Store = Pick<Storage, 'getItem' | 'setItem'>;

function read(storage: Store): Stored {
  try {
    const value = JSON.parse(storage.getItem(KEY) ?? '{}') as Partial<Stored> | null;
    return { last: value?.last, packs: { ...value?.packs } };
  } catch {
    return { packs: {} };
  }
}

const cores = () => (typeof navigator === 'object' ? navigator.hardwareConcurrency || 1 : 1);

/** The tuning remembered for this pack version (or, without one, for the pack used last). */
export function rememberedTuning(
  pack?: PackRef,
  storage: Store = localStorage,
  now = Date.now(),
): ThreadTuning | undefined {
  const stored = read(storage);
  const entry = stored.packs[pack?.name ?? stored.last ?? ''];
  if (!entry || entry.cores !== cores() || now - entry.measuredAt > MAX_AGE_MS) return undefined;
  if (pack && entry.version !== pack.version) return undefined;
  const { version: _version, cores: _cores, ...tuning } = entry;
  return tuning;
}

/** Remembers a measurement for this pack version (replacing other versions of the pack). */
export function rememberTuning(
  pack: PackRef,
  tuning: ThreadTuning,
  storage: Store = localStorage,
): void {
  try {
    const stored = read(storage);
    stored.packs[pack.name] = { ...tuning, version: pack.version, cores: cores() };
    stored.last = pack.name;
    storage.setItem(KEY, JSON.stringify(stored));
  } catch {
    // Storage full or blocked: the next start measures again.
  }
}
