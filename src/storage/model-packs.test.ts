import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PackMetadata } from '../../shared/pack';
import { openPackStorage, type PackStorage } from './model-packs';

const entry = { path: 'model.json', size: 2, sha256: 'a'.repeat(64) };

async function install(name: string, version: number) {
  await storage.putFile({ name, version }, entry, new TextEncoder().encode('{}').buffer);
  await storage.putVersion({
    name,
    version,
    metadata: { name, labels: [] } as unknown as PackMetadata,
    files: [entry],
    sizeBytes: 2,
    createdAt: '2026-01-01T00:00:00Z',
    installedAt: '2026-01-01T00:00:00Z',
  });
}

let storage: PackStorage;
let run = 0;
beforeEach(() => {
  storage = openPackStorage(`fishlens-models-test-${++run}`);
});

describe('model pack store', () => {
  it('a stored version is not used until it is switched in, and then becomes the active pack', async () => {
    await install('river-fish', 1);
    expect(await storage.getActive()).toBeNull();
    expect(await storage.switchCurrent({ name: 'river-fish', version: 1 })).toEqual([]);
    expect(await storage.getActive()).toMatchObject({ name: 'river-fish', version: 1 });
    expect([...(await storage.readFiles({ name: 'river-fish', version: 1 })).keys()]).toEqual([
      'model.json',
    ]);
  });

  it('reads one file of a version by its path, and nothing for a path it does not have', async () => {
    await install('river-fish', 1);
    const blob = await storage.readFile({ name: 'river-fish', version: 1 }, 'model.json');
    expect(await blob?.text()).toBe('{}');
    expect(
      await storage.readFile({ name: 'river-fish', version: 1 }, 'missing.jpg'),
    ).toBeUndefined();
    expect(
      await storage.readFile({ name: 'river-fish', version: 2 }, 'model.json'),
    ).toBeUndefined();
  });

  it('switching keeps the previous version for roll back and hands back the older ones to delete', async () => {
    for (const v of [1, 2, 3]) await install('river-fish', v);
    await storage.switchCurrent({ name: 'river-fish', version: 1 });
    await storage.switchCurrent({ name: 'river-fish', version: 2 });
    expect(await storage.switchCurrent({ name: 'river-fish', version: 3 })).toEqual([1]);
    const [installed] = await storage.listModels();
    expect(installed?.model).toEqual({ name: 'river-fish', current: 3, previous: 2 });

    expect(await storage.swapToPrevious('river-fish')).toBe(true);
    expect(await storage.getActive()).toMatchObject({ version: 2 });
    expect(await storage.swapToPrevious('river-fish')).toBe(true);
    expect(await storage.getActive()).toMatchObject({ version: 3 });
  });

  it('refuses to switch to a version that is not completely stored', async () => {
    await storage.putFile({ name: 'river-fish', version: 4 }, entry, new ArrayBuffer(2));
    await expect(storage.switchCurrent({ name: 'river-fish', version: 4 })).rejects.toThrow(
      /not installed/,
    );
    expect(await storage.getActive()).toBeNull();
  });

  it('deleting a version removes its files; deleting the current one falls back to the previous', async () => {
    await install('river-fish', 1);
    await install('river-fish', 2);
    await storage.switchCurrent({ name: 'river-fish', version: 1 });
    await storage.switchCurrent({ name: 'river-fish', version: 2 });
    await storage.deleteVersion({ name: 'river-fish', version: 2 });
    expect((await storage.readFiles({ name: 'river-fish', version: 2 })).size).toBe(0);
    expect(await storage.getActive()).toMatchObject({ version: 1 });
  });

  it('deleting the active model moves the active choice to another installed model', async () => {
    await install('river-fish', 1);
    await install('reef-fish', 1);
    await storage.switchCurrent({ name: 'river-fish', version: 1 });
    await storage.switchCurrent({ name: 'reef-fish', version: 1 });
    await storage.setActive('reef-fish');
    expect(await storage.getActive()).toMatchObject({ name: 'reef-fish' });
    await storage.deleteModel('reef-fish');
    expect(await storage.getActive()).toMatchObject({ name: 'river-fish' });
    await storage.deleteModel('river-fish');
    expect(await storage.getActive()).toBeNull();
    expect(await storage.listModels()).toEqual([]);
  });
});
