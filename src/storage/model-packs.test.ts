import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PackMetadata } from '../../shared/pack';
import {
  deleteModel,
  deleteVersion,
  getActiveVersion,
  listInstalledModels,
  openModelsDb,
  putInstalledVersion,
  putPackFile,
  readPackFiles,
  setActiveModel,
  swapToPreviousVersion,
  switchCurrentVersion,
} from './model-packs';

const entry = { path: 'model.json', size: 2, sha256: 'a'.repeat(64) };

async function install(name: string, version: number) {
  await putPackFile(name, version, entry, new TextEncoder().encode('{}').buffer);
  await putInstalledVersion({
    name,
    version,
    metadata: { name, labels: [] } as unknown as PackMetadata,
    files: [entry],
    sizeBytes: 2,
    createdAt: '2026-01-01T00:00:00Z',
    installedAt: '2026-01-01T00:00:00Z',
  });
}

beforeEach(async () => {
  const db = await openModelsDb();
  for (const store of ['files', 'versions', 'models', 'preferences'] as const)
    await db.clear(store);
});

describe('model pack store', () => {
  it('a stored version is not used until it is switched in, and then becomes the active pack', async () => {
    await install('river-fish', 1);
    expect(await getActiveVersion()).toBeNull();
    expect(await switchCurrentVersion('river-fish', 1)).toEqual([]);
    expect(await getActiveVersion()).toMatchObject({ name: 'river-fish', version: 1 });
    expect([...(await readPackFiles('river-fish', 1)).keys()]).toEqual(['model.json']);
  });

  it('switching keeps the previous version for roll back and hands back the older ones to delete', async () => {
    for (const v of [1, 2, 3]) await install('river-fish', v);
    await switchCurrentVersion('river-fish', 1);
    await switchCurrentVersion('river-fish', 2);
    expect(await switchCurrentVersion('river-fish', 3)).toEqual([1]);
    const [installed] = await listInstalledModels();
    expect(installed?.model).toEqual({ name: 'river-fish', current: 3, previous: 2 });

    expect(await swapToPreviousVersion('river-fish')).toBe(true);
    expect(await getActiveVersion()).toMatchObject({ version: 2 });
    expect(await swapToPreviousVersion('river-fish')).toBe(true);
    expect(await getActiveVersion()).toMatchObject({ version: 3 });
  });

  it('refuses to switch to a version that is not completely stored', async () => {
    await putPackFile('river-fish', 4, entry, new ArrayBuffer(2));
    await expect(switchCurrentVersion('river-fish', 4)).rejects.toThrow(/not installed/);
    expect(await getActiveVersion()).toBeNull();
  });

  it('deleting a version removes its files; deleting the current one falls back to the previous', async () => {
    await install('river-fish', 1);
    await install('river-fish', 2);
    await switchCurrentVersion('river-fish', 1);
    await switchCurrentVersion('river-fish', 2);
    await deleteVersion('river-fish', 2);
    expect((await readPackFiles('river-fish', 2)).size).toBe(0);
    expect(await getActiveVersion()).toMatchObject({ version: 1 });
  });

  it('deleting the active model moves the active choice to another installed model', async () => {
    await install('river-fish', 1);
    await install('reef-fish', 1);
    await switchCurrentVersion('river-fish', 1);
    await switchCurrentVersion('reef-fish', 1);
    await setActiveModel('reef-fish');
    expect(await getActiveVersion()).toMatchObject({ name: 'reef-fish' });
    await deleteModel('reef-fish');
    expect(await getActiveVersion()).toMatchObject({ name: 'river-fish' });
    await deleteModel('river-fish');
    expect(await getActiveVersion()).toBeNull();
    expect(await listInstalledModels()).toEqual([]);
  });
});
