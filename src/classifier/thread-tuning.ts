/**
 * The WASM thread setting warm-up measured for a pack on this device, remembered in localStorage
 * so the next start of that pack skips the measurement and starts with the faster setting (one
 * thread then needs no thread pool at all). Forgotten when the pack version or the device's core
 * count changes, and after a month, so a new browser or OS gets measured again.
 */
import type { PackRef } from '../../shared/pack';
import type { ThreadTuning } from '../../worker/classifier/protocol';

const KEY = 'fishlens.threadTuning';
const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

type Stored = Record<string, ThreadTuning & { cores: number }>;
type Store = Pick<Storage, 'getItem' | 'setItem'>;

function read(storage: Store): Stored {
  try {
    const value: unknown = JSON.parse(storage.getItem(KEY) ?? '{}');
    return value && typeof value === 'object' ? (value as Stored) : {};
  } catch {
    return {};
  }
}

const cores = () => (typeof navigator === 'object' ? navigator.hardwareConcurrency || 1 : 1);

/** The tuning remembered for this pack version on this device, if still valid. */
export function rememberedTuning(
  pack: PackRef,
  storage: Store = localStorage,
  now = Date.now(),
): ThreadTuning | undefined {
  const entry = read(storage)[pack.name];
  if (!entry || entry.cores !== cores() || now - entry.measuredAt > MAX_AGE_MS) return undefined;
  const { cores: _cores, version, ...tuning } = entry as typeof entry & { version?: number };
  return version === pack.version ? tuning : undefined;
}

/** Remembers a new measurement for this pack version (replacing other versions of the pack). */
export function rememberTuning(
  pack: PackRef,
  tuning: ThreadTuning,
  storage: Store = localStorage,
): void {
  try {
    const stored = read(storage);
    stored[pack.name] = { ...tuning, cores: cores(), version: pack.version } as Stored[string];
    storage.setItem(KEY, JSON.stringify(stored));
  } catch {
    // Storage full or blocked: the next start measures again.
  }
}
