import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { FishlensError } from '../../shared/errors';
import type { LoadedPack } from '../classifier/types';
import { openPackStorage, type PackStorage } from '../storage/model-packs';
import { createInstaller, type Installer } from './installer';
import { fakeRegistry, type FakeRegistry } from './testing';

let registry: FakeRegistry;
let storage: PackStorage;
let installer: Installer;
let warmedUp: LoadedPack[];
let warmUpFails: boolean;
let run = 0;

beforeEach(() => {
  registry = fakeRegistry();
  storage = openPackStorage(`installer-test-${++run}`);
  warmedUp = [];
  warmUpFails = false;
  installer = createInstaller({
    fetch: registry.fetch,
    storage,
    warmUp: (pack) => {
      warmedUp.push(pack);
      return warmUpFails ? Promise.reject(new Error('WebGL lost')) : Promise.resolve();
    },
  });
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a failure'),
    (error: unknown) => error,
  );
}

const version = async (name: string) =>
  (await storage.getActive())?.name === name ? (await storage.getActive())?.version : undefined;

describe('installing a pack', () => {
  it('downloads, verifies, warms up and switches in a version, reporting progress to the last byte', async () => {
    await registry.publish('river-fish', 1);
    const progress: number[] = [];
    const record = await installer.install('river-fish', {
      onProgress: ({ loaded, total }) => progress.push(loaded / total),
    });
    expect(record).toMatchObject({ name: 'river-fish', version: 1 });
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    expect(warmedUp.map((p) => p.ref)).toEqual([{ name: 'river-fish', version: 1 }]);
    const pack = await installer.loadActive();
    expect(pack.ref).toEqual({ name: 'river-fish', version: 1 });
    expect(pack.metadata.labels.map((l) => l.id)).toEqual(['bream', 'perch']);
    expect(pack.weightFiles['group1-shard1of1.bin']?.byteLength).toBe(50_000);
  });

  it('refuses a tampered file, stores nothing of that version and keeps the one in use', async () => {
    await registry.publish('river-fish', 1);
    await installer.install('river-fish');
    await registry.publish('river-fish', 2);
    registry.tamper('river-fish', 2, 'group1-shard1of1.bin');
    const error = await failure(installer.install('river-fish'));
    expect(error).toBeInstanceOf(FishlensError);
    expect(error).toMatchObject({
      code: 'checksum-mismatch',
      details: { file: 'group1-shard1of1.bin' },
    });
    expect(await storage.getVersion({ name: 'river-fish', version: 2 })).toBeUndefined();
    expect((await storage.readFiles({ name: 'river-fish', version: 2 })).size).toBe(0);
    expect((await installer.loadActive()).ref.version).toBe(1);
  });

  it('refuses a pack damaged on the device when it is loaded', async () => {
    await registry.publish('river-fish', 1);
    await installer.install('river-fish');
    const ref = { name: 'river-fish', version: 1 };
    const record = (await storage.getVersion(ref))!;
    const shard = record.files.find((f) => f.path.endsWith('.bin'))!;
    await storage.putFile(ref, shard, new ArrayBuffer(shard.size));
    expect(await failure(installer.loadActive())).toMatchObject({ code: 'checksum-mismatch' });
  });

  it('cancels mid-download with the AbortError, leaving nothing behind and the old version in use', async () => {
    await registry.publish('river-fish', 1);
    await installer.install('river-fish');
    await registry.publish('river-fish', 2, { shardBytes: 400_000 });
    const controller = new AbortController();
    registry.onFile = (path) => {
      if (path.endsWith('.bin')) controller.abort();
    };
    const error = await failure(installer.install('river-fish', { signal: controller.signal }));
    expect((error as Error).name).toBe('AbortError');
    expect(await storage.getVersion({ name: 'river-fish', version: 2 })).toBeUndefined();
    expect((await storage.readFiles({ name: 'river-fish', version: 2 })).size).toBe(0);
    expect(await version('river-fish')).toBe(1);
  });

  it('does not switch to a version that fails to warm up', async () => {
    await registry.publish('river-fish', 1);
    await installer.install('river-fish');
    await registry.publish('river-fish', 2);
    warmUpFails = true;
    expect(await failure(installer.install('river-fish'))).toMatchObject({
      code: 'warm-up-failed',
    });
    expect(await version('river-fish')).toBe(1);
    expect(await storage.getVersion({ name: 'river-fish', version: 2 })).toBeUndefined();
  });

  it('keeps the current and previous versions, prunes older ones, and rolls back and forth', async () => {
    for (const v of [1, 2, 3]) {
      await registry.publish('river-fish', v);
      await installer.install('river-fish');
    }
    const [installed] = await storage.listModels();
    expect(installed?.model).toEqual({ name: 'river-fish', current: 3, previous: 2 });
    expect(await storage.getVersion({ name: 'river-fish', version: 1 })).toBeUndefined();
    expect((await storage.readFiles({ name: 'river-fish', version: 1 })).size).toBe(0);

    await storage.swapToPrevious('river-fish');
    expect((await installer.loadActive()).ref.version).toBe(2);
    await storage.swapToPrevious('river-fish');
    expect((await installer.loadActive()).ref.version).toBe(3);
  });

  it('switches to an installed version without downloading it again', async () => {
    await registry.publish('river-fish', 1);
    await installer.install('river-fish');
    const downloads = registry.requests.filter((url) => url.includes('/files/')).length;
    await installer.install('river-fish');
    expect(registry.requests.filter((url) => url.includes('/files/')).length).toBe(downloads);
  });
});

describe('the first pack', () => {
  it('is never installed without a choice: with nothing installed loadActive fails with not-installed', async () => {
    await registry.publish('river-fish', 1);
    expect(await failure(installer.loadActive())).toMatchObject({ code: 'not-installed' });
    expect(registry.requests.filter((url) => url.includes('/files/'))).toEqual([]);
  });

  it('becomes the active pack, and the browser is asked to keep storage once, for it', async () => {
    let persisted = 0;
    const persisting = createInstaller({
      fetch: registry.fetch,
      storage,
      warmUp: () => Promise.resolve(),
      persist: () => Promise.resolve((persisted += 1)),
    });
    await registry.publish('reef-fish', 1);
    await registry.publish('river-fish', 1);
    await persisting.install('reef-fish');
    expect(persisted).toBe(1);
    await persisting.install('river-fish');
    expect(persisted).toBe(1);
    expect((await persisting.loadActive()).ref).toEqual({ name: 'reef-fish', version: 1 });
  });

  it('installed without a warm-up (the first pack chosen has nothing in use to protect), loads without a network', async () => {
    await registry.publish('river-fish', 1);
    await installer.install('river-fish', { warmUp: false });
    expect(warmedUp).toEqual([]);
    registry.offline = true;
    expect((await installer.loadActive()).ref).toEqual({ name: 'river-fish', version: 1 });
  });
});

describe('checking for updates', () => {
  it('lists installed models whose registry version is newer, but not a rolled-back one', async () => {
    await registry.publish('river-fish', 1);
    await installer.install('river-fish');
    await registry.publish('river-fish', 2);
    const { updates } = await installer.checkForUpdates();
    expect(updates).toEqual([
      { name: 'river-fish', installed: 1, available: 2, sizeBytes: expect.any(Number) as number },
    ]);
    await installer.install('river-fish');
    await storage.swapToPrevious('river-fish');
    expect((await installer.checkForUpdates()).updates).toEqual([]);
  });

  it('a newer version that cannot run in the app is no update, and installing it says why', async () => {
    await registry.publish('river-fish', 1);
    await installer.install('river-fish');
    await registry.publish('river-fish', 2, { unusable: 'there is no model.json' });
    const { updates, registry: listed } = await installer.checkForUpdates();
    expect(updates).toEqual([]);
    expect(listed[0]).toMatchObject({ version: 2, unusable: 'there is no model.json' });
    expect(await failure(installer.install('river-fish'))).toMatchObject({
      code: 'model-unsupported',
    });
  });

  it('fails with network when the registry cannot be reached', async () => {
    registry.offline = true;
    expect(await failure(installer.checkForUpdates())).toMatchObject({ code: 'network' });
  });
});
