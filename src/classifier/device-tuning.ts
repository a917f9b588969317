/**
 * What loading a pack found out about this device, remembered in localStorage so the next start
 * skips finding it out again:
 * - the WASM thread setting warm-up measured for each pack (the faster of one thread and the
 *   pool; one thread then needs no thread pool at all). The worker starts before the pack is read,
 *   with the setting of the pack used last;
 * - the backend `auto` ended on: where that was WASM or CPU (no hardware GPU, or one the model did
 *   not run on), the next start does not probe the GPUs again.
 * Forgotten when the pack version or the device's core count changes, and after a month, so a new
 * browser, OS or GPU driver gets measured again.
 */
import type { PackRef } from '../../shared/pack';
import type { Backend, ThreadTuning } from '../../worker/classifier/protocol';

const KEY = 'fishlens.deviceTuning';
const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

interface Entry extends ThreadTuning {
  version: number;
  cores: number;
}
interface Stored {
  last?: string;
  packs: Record<string, Entry>;
  /** The backend `auto` last ended on, with when and on how many cores. */
  backend?: { name: Backend; at: number; cores: number };
}
type Store = Pick<Storage, 'getItem' | 'setItem'>;

function read(storage: Store): Stored {
  try {
    const value = JSON.parse(storage.getItem(KEY) ?? '{}') as Partial<Stored> | null;
    return { last: value?.last, packs: { ...value?.packs }, backend: value?.backend };
  } catch {
    return { packs: {} };
  }
}

function write(storage: Store, stored: Stored): void {
  try {
    storage.setItem(KEY, JSON.stringify(stored));
  } catch {
    // Storage full or blocked: the next start finds it out again.
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
  const stored = read(storage);
  stored.packs[pack.name] = { ...tuning, version: pack.version, cores: cores() };
  stored.last = pack.name;
  write(storage, stored);
}

/** The backends `auto` means on this device: all, or WASM and CPU where no GPU was worth it. */
export function autoBackends(storage: Store = localStorage, now = Date.now()): Backend[] | 'auto' {
  const { backend } = read(storage);
  const known = backend && backend.cores === cores() && now - backend.at <= MAX_AGE_MS;
  return known && (backend.name === 'wasm' || backend.name === 'cpu') ? ['wasm', 'cpu'] : 'auto';
}

/** Remembers the backend `auto` ended on. */
export function rememberBackend(
  name: Backend,
  storage: Store = localStorage,
  now = Date.now(),
): void {
  write(storage, { ...read(storage), backend: { name, at: now, cores: cores() } });
}
