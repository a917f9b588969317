import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const FIXTURES = join(import.meta.dirname, '../../tests/fixtures/models');

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

  it('refuses the aliases MLflow reserves (latest, v1…) before anything is uploaded', async () => {
    for (const alias of ['latest', 'v2']) {
      const { code, output } = await run(join(root, 'good'), '--alias', alias);
      expect(code).toBe(2);
      expect(output).toContain(`--alias ${alias}: "${alias}" is reserved`);
    }
  });

  describe('a bare TF.js export (model.json + shards + labels, no Fishlens files)', () => {
    const registry = () =>
      createBuiltinRegistry(
        test.db,
        createS3ObjectStore({
          client: createS3Client(s3.settings),
          bucket: s3.bucket,
          timeoutMs: 5_000,
        }),
      );
    /** A copy of a converter fixture, optionally without its labels.txt. */
    const bare = (fixture: string, keepLabels = true) => {
      const dir = join(root, `${fixture}-${Math.random().toString(36).slice(2)}`);
      cpSync(join(FIXTURES, fixture), dir, { recursive: true });
      if (!keepLabels) rmSync(join(dir, 'labels.txt'));
      return dir;
    };

    it('publishes a Keras 2 layers export with the labels.txt it finds; the server makes metadata and manifest', async () => {
      const dir = bare('nsfwjs-mobilenet-v2');
      const { code, output } = await run(dir, '--name', 'nsfw-layers', '--preprocess', 'unit');
      expect(output).toMatch(/5 labels from labels\.txt/);
      expect(output).toMatch(/metadata\.json and manifest\.json made for it/);
      expect(code).toBe(0);
      const version = await registry().getVersionByAlias('nsfw-layers', 'production');
      expect(version?.files.map((f) => f.path).sort()).toEqual([
        'group1-shard1of1',
        'metadata.json',
        'model.json',
      ]);
      const shard = version!.files.find((f) => f.path === 'group1-shard1of1')!;
      expect(shard.sha256).toBe(
        createHash('sha256')
          .update(readFileSync(join(dir, 'group1-shard1of1')))
          .digest('hex'),
      );
      expect(version?.metadata).toMatchObject({
        name: 'nsfw-layers',
        modelFormat: 'tfjs-layers',
        input: { width: 224, height: 224 },
        preprocessing: { scale: 255, offset: 0 },
        labels: [
          { id: 'drawing' },
          { id: 'hentai' },
          { id: 'neutral' },
          { id: 'porn' },
          { id: 'sexy' },
        ],
      });
      const again = await run(dir, '--name', 'nsfw-layers', '--preprocess', 'unit');
      expect(again.output).toMatch(/already nsfw-layers version 1/);
    }, 60_000);

    it('publishes a graph model with --labels from elsewhere; species names are optional extras', async () => {
      const dir = bare('human-liveness', false);
      const labels = join(root, 'liveness-labels.txt');
      writeFileSync(labels, 'Spoof\tPhoto of a photo\tФото фото\nLive\n');
      const { code, output } = await run(dir, '--name', 'liveness', '--labels', labels);
      expect(output).toMatch(/assuming mobilenet/);
      expect(code).toBe(0);
      const version = await registry().getVersionByAlias('liveness', 'production');
      expect(version?.metadata).toMatchObject({
        modelFormat: 'tfjs-graph',
        input: { width: 32, height: 32 },
        labels: [
          { id: 'spoof', latin: 'Spoof', names: { en: 'Photo of a photo', ru: 'Фото фото' } },
          { id: 'live', latin: 'Live', names: {} },
        ],
      });
    });

    it('reads a Teachable Machine metadata.json: its labels, its name, mobilenet scaling', async () => {
      const dir = bare('human-liveness', false);
      writeFileSync(
        join(dir, 'metadata.json'),
        JSON.stringify({
          tfjsVersion: '1.3.1',
          modelName: 'tm-liveness',
          labels: ['a', 'b'],
          imageSize: 32,
        }),
      );
      const { code, output } = await run(dir);
      expect(output).toMatch(/2 labels from metadata\.json \(Teachable Machine\)/);
      expect(code).toBe(0);
      const version = await registry().getVersionByAlias('tm-liveness', 'production');
      expect(version?.metadata).toMatchObject({ preprocessing: { scale: 127.5, offset: -1 } });
    });

    it('refuses, naming the reason, a model with no labels, too many labels or ops the app cannot run', async () => {
      const before = (
        await test.db.query<{ n: number }>('SELECT count(*)::int AS n FROM model_versions')
      ).rows[0]?.n;
      const noLabels = await run(bare('human-liveness', false), '--name', 'x');
      expect(noLabels).toMatchObject({ code: 1 });
      expect(noLabels.output).toMatch(/Refusing to publish: no labels: put a labels\.txt/);

      const tooMany = bare('human-liveness');
      writeFileSync(join(tooMany, 'labels.txt'), 'a\nb\nc\n');
      expect((await run(tooMany, '--name', 'x')).output).toMatch(
        /Refusing to publish: this model cannot run in Fishlens: The model gives 2 scores per photo but there are 3 labels/,
      );

      const custom = bare('human-liveness');
      const json = JSON.parse(readFileSync(join(custom, 'model.json'), 'utf8')) as {
        modelTopology: { node: { op: string }[] };
      };
      json.modelTopology.node.find((n) => n.op === 'MaxPool')!.op = 'MyCustomPool';
      writeFileSync(join(custom, 'model.json'), JSON.stringify(json));
      expect((await run(custom, '--name', 'x')).output).toMatch(
        /operations the app cannot run: MyCustomPool/,
      );
      // An op full TF.js has but the app's lean worker bundle does not carry is refused too.
      json.modelTopology.node.find((n) => n.op === 'MyCustomPool')!.op = 'TopKV2';
      writeFileSync(join(custom, 'model.json'), JSON.stringify(json));
      expect((await run(custom, '--name', 'x')).output).toMatch(
        /operations the app cannot run: TopKV2/,
      );
      const after = (
        await test.db.query<{ n: number }>('SELECT count(*)::int AS n FROM model_versions')
      ).rows[0]?.n;
      expect(after).toBe(before);
    });

    it('--labels and --preprocess are refused for a Fishlens pack, whose metadata already says', async () => {
      const { code, output } = await run(join(root, 'good'), '--preprocess', 'unit');
      expect(code).toBe(2);
      expect(output).toMatch(
        /is a Fishlens pack.*--labels and --preprocess are for bare TF\.js exports/,
      );
    });
  });
});
