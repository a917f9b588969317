import { describe, expect, it } from 'vitest';
import { metadataSchema } from '../../shared/pack';
import type { ModelSummary } from '../../shared/models-api';
import type { InstalledPackVersion } from '../storage/model-packs';
import { activeAfterDelete, packCards } from './pack-cards';
import { INITIAL_PACK_STORE_STATE, type PackStoreState } from './pack-store-state';
import { fakeMetadata } from './testing';

function version(name: string, v: number, description: string): InstalledPackVersion {
  const metadata = metadataSchema.parse({
    ...fakeMetadata(name, v),
    description,
    metrics: {
      validation: {
        n: 10,
        top1: 0.8,
        top3: 1,
        perClass: {},
        confusion: [],
        sure: { threshold: 0.5, coverage: 0.6, accuracy: 0.9 },
      },
    },
  });
  return {
    name,
    version: v,
    metadata,
    files: [],
    sizeBytes: 1000 * v,
    createdAt: '',
    installedAt: '',
  };
}

function summary(name: string, v: number, description: string): ModelSummary {
  const at = '2026-11-01T00:00:00.000Z';
  return {
    name,
    version: v,
    alias: 'production',
    createdAt: at,
    sizeBytes: 5000,
    labelCount: 2,
    description,
  };
}

function state(patch: Partial<PackStoreState>): PackStoreState {
  return { ...INITIAL_PACK_STORE_STATE, loaded: true, ...patch };
}

describe('the Models cards', () => {
  it('after a roll back show the version in use with its own words, and no update to the version kept on the device', () => {
    const [card] = packCards(
      state({
        installed: [
          {
            model: { name: 'river', current: 1, previous: 2 },
            current: version('river', 1, 'first'),
            previous: version('river', 2, 'second'),
          },
        ],
        active: { name: 'river', version: 1 },
        registry: [summary('river', 2, 'second')],
      }),
    );
    expect(card).toMatchObject({
      description: 'first',
      installed: { version: 1, previous: 2 },
      latest: 2,
      canUpdate: false,
      active: true,
      sizeBytes: 1000,
      sure: { coverage: 0.6, accuracy: 0.9 },
    });
  });

  it('offer an update only for a version newer than both on the device', () => {
    const cards = packCards(
      state({
        installed: [
          {
            model: { name: 'river', current: 2, previous: 1 },
            current: version('river', 2, 'second'),
            previous: version('river', 1, 'first'),
          },
        ],
        registry: [summary('reef', 1, 'reef'), summary('river', 3, 'third')],
      }),
    );
    expect(cards.map((c) => [c.name, c.canUpdate, c.latestSizeBytes])).toEqual([
      ['river', true, 5000],
      ['reef', false, 5000],
    ]);
    expect(cards[1]).toMatchObject({ installed: null, description: 'reef', sure: undefined });
  });

  /** River version 1 on the device; the registry offers reef 1 and river 2, both with `extra`. */
  const riverInstalledReefOffered = (extra: Partial<ModelSummary>) =>
    packCards(
      state({
        installed: [
          {
            model: { name: 'river', current: 1, previous: null },
            current: version('river', 1, 'first'),
            previous: null,
          },
        ],
        registry: [
          { ...summary('reef', 1, 'reef'), ...extra },
          { ...summary('river', 2, 'second'), ...extra },
        ],
      }),
    );

  it("show the registry's validation numbers for a pack not downloaded, and the device's own for one installed", () => {
    const offered = { threshold: 0.5, coverage: 0.7, accuracy: 0.95 };
    const cards = riverInstalledReefOffered({ sure: offered });
    expect(cards.map((c) => [c.name, c.sure])).toEqual([
      ['river', { threshold: 0.5, coverage: 0.6, accuracy: 0.9 }],
      ['reef', offered],
    ]);
  });

  it("name the species of a pack not downloaded from the registry's list, of an installed one from the device", () => {
    const listed = [
      { latin: 'Zanclus cornutus', names: { en: 'Moorish idol' } },
      { latin: 'Zebrasoma scopas', names: { en: 'brushtail tang' } },
    ];
    const cards = riverInstalledReefOffered({ species: listed });
    const installed = version('river', 1, 'first').metadata.labels;
    expect(cards.map((c) => [c.name, c.species.map((s) => s.latin)])).toEqual([
      ['river', installed.map((l) => l.latin)],
      ['reef', ['Zanclus cornutus', 'Zebrasoma scopas']],
    ]);
    expect(installed.map((l) => l.latin)).not.toEqual(['Zanclus cornutus', 'Zebrasoma scopas']);
  });

  it('offer nothing to download or update to when the registry version cannot run in the app', () => {
    const [card] = packCards(
      state({
        installed: [
          {
            model: { name: 'river', current: 1, previous: null },
            current: version('river', 1, 'first'),
            previous: null,
          },
        ],
        registry: [{ ...summary('river', 2, 'second'), unusable: 'no model.json' }],
      }),
    );
    expect(card).toMatchObject({ unusable: true, canUpdate: false, latest: 2 });
  });

  it('put the pack in use first and know which pack Identify uses after a deletion', () => {
    const installed = ['a', 'b', 'c'].map((name) => ({
      model: { name, current: 1, previous: null },
      current: version(name, 1, name),
      previous: null,
    }));
    const s = state({ installed, active: { name: 'b', version: 1 } });
    expect(packCards(s).map((c) => c.name)).toEqual(['b', 'a', 'c']);
    expect(activeAfterDelete(s, 'b')).toBe('a');
    expect(activeAfterDelete(s, 'c')).toBe('b');
    expect(activeAfterDelete(state({ installed: installed.slice(1, 2) }), 'b')).toBeNull();
  });
});
