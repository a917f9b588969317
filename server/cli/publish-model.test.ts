import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/test-database.js';
import { createBuiltinRegistry } from '../registry/builtin.js';
import {
  flipOneByte,
  tempPackRoot,
  writeSyntheticPack,
} from '../registry/testing/synthetic-pack.js';
import { createS3Client, createS3ObjectStore } from '../storage/s3.js';
import { startTestS3Server, type TestS3Server } from '../storage/testing/s3-server.js';
import { publishModelCommand } from './publish-model.js';

describe('npm run publish-model', () => {
  let test: TestDatabase;
  let s3: TestS3Server;
  let env: Record<string, string | undefined>;
  const root = tempPackRoot();

  const run = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await publishModelCommand(argv, env, (line) => lines.push(line));
    return { code, output: lines.join('\n') };
  };

  beforeAll(async () => {
    [test, s3] = await Promise.all([createTestDatabase(), startTestS3Server()]);
    env = {
      DATA_DIR: mkdtempSync(join(tmpdir(), 'fishlens-cli-')),
      DATABASE_URL: test.url,
      S3_ENDPOINT: s3.settings.endpoint,
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: s3.settings.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.settings.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => {
    await test?.drop();
    await s3?.stop();
  });

  it('refuses a tampered pack, naming the file, and registers nothing', async () => {
    const dir = writeSyntheticPack(join(root, 'tampered'), { name: 'river-fish' });
    flipOneByte(join(dir, 'group1-shard1of1.bin'));
    const { code, output } = await run(dir, '--name', 'river-fish');
    expect(code).toBe(1);
    expect(output).toMatch(
      /Refusing to publish: group1-shard1of1\.bin does not match manifest\.json/,
    );
    const count = await test.db
      .query<{ n: number }>('SELECT count(*)::int AS n FROM model_versions')
      .catch(() => ({ rows: [{ n: 0 }] }));
    expect(count.rows[0]?.n).toBe(0);
  });

  it('uploads to S3, registers version 1 and moves the alias; the stored files match the manifest', async () => {
    const dir = writeSyntheticPack(join(root, 'good'), { name: 'river-fish' });
    const { code, output } = await run(dir, '--name', 'river-fish', '--alias', 'production');
    expect(output).toMatch(/Published river-fish version 1/);
    expect(code).toBe(0);
    const store = createS3ObjectStore({
      client: createS3Client(s3.settings),
      bucket: s3.bucket,
      timeoutMs: 5_000,
    });
    const registry = createBuiltinRegistry(test.db, store);
    const version = await registry.getVersionByAlias('river-fish', 'production');
    expect(version?.version).toBe(1);
    for (const file of version?.files ?? []) {
      const hash = createHash('sha256');
      for await (const chunk of await registry.openFile(version!, file.path)) hash.update(chunk);
      expect(hash.digest('hex')).toBe(file.sha256);
    }
  });

  it('publishing the same pack again uploads nothing and keeps the version', async () => {
    const { code, output } = await run(join(root, 'good'), '--name', 'river-fish');
    expect(code).toBe(0);
    expect(output).toMatch(/already river-fish version 1/);
  });

  it('explains bad arguments with the usage text', async () => {
    expect((await run()).code).toBe(2);
    const { code, output } = await run(join(root, 'good'), '--name', 'Bad Name');
    expect(code).toBe(2);
    expect(output).toMatch(/Usage: npm run publish-model/);
  });
});
