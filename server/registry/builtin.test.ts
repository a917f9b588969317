import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/test-database.js';
import { createS3Client, createS3ObjectStore } from '../storage/s3.js';
import { startTestS3Server, type TestS3Server } from '../storage/testing/s3-server.js';
import { createBuiltinRegistry } from './builtin.js';
import { verifyPack } from './pack.js';
import { tempPackRoot, writeSyntheticPack } from './testing/synthetic-pack.js';
import type { ModelRegistry } from './types.js';

async function sha256Of(
  stream: ReadableStream<Uint8Array>,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

describe('built-in registry on real PostgreSQL with files in S3 (s3rver on loopback)', () => {
  let test: TestDatabase;
  let s3: TestS3Server;
  let registry: ModelRegistry;
  const root = tempPackRoot();

  beforeAll(async () => {
    [test, s3] = await Promise.all([createTestDatabase(), startTestS3Server()]);
    const store = createS3ObjectStore({
      client: createS3Client(s3.settings),
      bucket: s3.bucket,
      prefix: 'fishlens/',
      timeoutMs: 5_000,
    });
    registry = createBuiltinRegistry(test.db, store);
  });
  afterAll(async () => {
    await test?.drop();
    await s3?.stop();
  });

  it('publishes a pack as version 1, points the alias at it and serves its files byte for byte', async () => {
    const pack = await verifyPack(
      writeSyntheticPack(join(root, 'a1'), { name: 'river-fish', nested: true }),
    );
    const { version, created } = await registry.publish(pack, {
      name: 'river-fish',
      alias: 'production',
    });
    expect(created).toBe(true);
    expect(version).toMatchObject({
      name: 'river-fish',
      version: 1,
      aliases: ['production'],
      labelCount: 3,
      sizeBytes: pack.sizeBytes,
    });
    expect(version.files).toEqual(
      [...pack.manifest.files].sort((a, b) => a.path.localeCompare(b.path)),
    );
    expect(version.metadata).toEqual(pack.metadataJson);
    for (const file of version.files) {
      expect(await sha256Of(await registry.openFile(version, file.path))).toEqual({
        sha256: file.sha256,
        size: file.size,
      });
    }
    expect(await registry.headFile(version, 'group1-shard1of1.bin')).toEqual({
      size: pack.manifest.files.find((f) => f.path === 'group1-shard1of1.bin')?.size,
    });
  });

  it('returns the existing version for the same pack published again, without moving aliases', async () => {
    const pack = await verifyPack(join(root, 'a1'));
    const again = await registry.publish(pack, { name: 'river-fish', alias: 'staging' });
    expect(again.created).toBe(false);
    expect(again.version.version).toBe(1);
    expect(again.version.aliases).toEqual(['production']);
  });

  it('publishes a changed pack as the next version and moves the alias to it', async () => {
    const pack = await verifyPack(
      writeSyntheticPack(join(root, 'a2'), { name: 'river-fish', description: 'retrained' }),
    );
    const { version } = await registry.publish(pack, { name: 'river-fish', alias: 'production' });
    expect(version.version).toBe(2);
    expect((await registry.getVersionByAlias('river-fish', 'production'))?.version).toBe(2);
    expect((await registry.getVersion('river-fish', 1))?.aliases).toEqual([]);
    const list = await registry.listModels('production');
    expect(list).toEqual([
      expect.objectContaining({
        name: 'river-fish',
        version: 2,
        alias: 'production',
        description: 'retrained',
        labelCount: 3,
        sizeBytes: pack.sizeBytes,
      }),
    ]);
    expect(typeof list[0]?.sizeBytes).toBe('number');
    expect(new Date(list[0]?.createdAt ?? '').toISOString()).toBe(list[0]?.createdAt);
  });

  it('moves an alias only to a version that exists', async () => {
    expect(await registry.setAlias('river-fish', 'production', 1)).toBe(true);
    expect((await registry.getVersionByAlias('river-fish', 'production'))?.version).toBe(1);
    expect(await registry.setAlias('river-fish', 'production', 99)).toBe(false);
    expect(await registry.setAlias('no-such-model', 'production', 1)).toBe(false);
  });

  it('answers null for unknown models, versions and aliases', async () => {
    expect(await registry.getVersion('river-fish', 42)).toBeNull();
    expect(await registry.getVersion('reef-fish', 1)).toBeNull();
    expect(await registry.getVersionByAlias('river-fish', 'canary')).toBeNull();
    expect(await registry.listModels('canary')).toEqual([]);
  });

  it('keeps published versions immutable in the database', async () => {
    await expect(
      test.db.query("UPDATE model_versions SET description = 'changed' WHERE name = 'river-fish'"),
    ).rejects.toThrow(/immutable/);
    await expect(
      test.db.query("UPDATE model_version_files SET sha256 = repeat('0', 64)"),
    ).rejects.toThrow(/immutable/);
  });

  it('gives dense, unique version numbers to packs published at the same time', async () => {
    const packs = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        verifyPack(
          writeSyntheticPack(join(root, `c${i}`), { name: 'reef-fish', shardBytes: 1000 + i }),
        ),
      ),
    );
    const results = await Promise.all(
      packs.map((pack) => registry.publish(pack, { name: 'reef-fish', alias: 'production' })),
    );
    expect(results.map((r) => r.version.version).sort()).toEqual([1, 2, 3, 4]);
    expect((await registry.listModels('production')).map((m) => m.name)).toEqual([
      'reef-fish',
      'river-fish',
    ]);
  });
});
