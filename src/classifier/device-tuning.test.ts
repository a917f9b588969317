import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ThreadTuning } from '../../worker/classifier/protocol';
import { autoBackends, rememberBackend, rememberedTuning, rememberTuning } from './device-tuning';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
  };
}

const NOW = Date.UTC(2025, 5, 1);
const tuning: ThreadTuning = {
  threads: 2,
  max: 2,
  oneThreadMs: 30,
  manyThreadsMs: 17,
  measuredAt: NOW,
};

describe('remembered thread tuning', () => {
  beforeEach(() => vi.stubGlobal('navigator', { hardwareConcurrency: 2 }));
  afterEach(() => vi.unstubAllGlobals());

  it('is given back for the same pack version, and as the last-used one without a pack', () => {
    const storage = memoryStorage();
    rememberTuning({ name: 'river-fish', version: 3 }, tuning, storage);
    expect(rememberedTuning({ name: 'river-fish', version: 3 }, storage, NOW)).toEqual(tuning);
    expect(rememberedTuning(undefined, storage, NOW)).toEqual(tuning);
    rememberTuning({ name: 'reef-fish', version: 1 }, { ...tuning, threads: 1 }, storage);
    expect(rememberedTuning(undefined, storage, NOW)?.threads).toBe(1);
    expect(rememberedTuning({ name: 'river-fish', version: 3 }, storage, NOW)?.threads).toBe(2);
  });

  it('is forgotten for another version, another core count, or after a month', () => {
    const storage = memoryStorage();
    rememberTuning({ name: 'river-fish', version: 3 }, tuning, storage);
    expect(rememberedTuning({ name: 'river-fish', version: 4 }, storage, NOW)).toBeUndefined();
    expect(rememberedTuning(undefined, storage, NOW + 31 * 86_400_000)).toBeUndefined();
    vi.stubGlobal('navigator', { hardwareConcurrency: 8 });
    expect(rememberedTuning({ name: 'river-fish', version: 3 }, storage, NOW)).toBeUndefined();
  });

  it('survives unreadable storage', () => {
    const storage = memoryStorage();
    storage.setItem('fishlens.deviceTuning', '{not json');
    expect(rememberedTuning(undefined, storage, NOW)).toBeUndefined();
    rememberTuning({ name: 'river-fish', version: 3 }, tuning, storage);
    expect(rememberedTuning(undefined, storage, NOW)).toEqual(tuning);
  });

  it('skips the GPU probes after auto ended on WASM or CPU, for a month on the same cores', () => {
    const storage = memoryStorage();
    expect(autoBackends(storage, NOW)).toBe('auto');
    rememberBackend('webgpu', storage, NOW);
    expect(autoBackends(storage, NOW)).toBe('auto');
    rememberBackend('wasm', storage, NOW);
    expect(autoBackends(storage, NOW)).toEqual(['wasm', 'cpu']);
    expect(autoBackends(storage, NOW + 31 * 86_400_000)).toBe('auto');
    vi.stubGlobal('navigator', { hardwareConcurrency: 8 });
    expect(autoBackends(storage, NOW)).toBe('auto');
  });
});
