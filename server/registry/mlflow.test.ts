/**
 * The MLflow registry against a contract fake of MLflow's REST API (testing/mlflow-fake.ts): no
 * MLflow server can run here, so the fake answers with MLflow's documented request and response
 * JSON. Artifacts come through the fake's artifact proxy (mlflow-artifacts:/) or from a real
 * S3-protocol server (s3rver) for s3:// sources.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishModelCommand } from '../cli/publish-model.js';
import { createLogger } from '../log.js';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import type { Database } from '../db/index.js';
import { createS3Client, createS3ObjectStore } from '../storage/s3.js';
import { startTestS3Server, type TestS3Server } from '../storage/testing/s3-server.js';
import { createMlflowRegistry } from './mlflow.js';
import { PACK_DIGEST_TAG } from './mlflow-publish.js';
import { createMlflowClient } from './mlflow-client.js';
import { verifyPack, type VerifiedPack } from './pack.js';
import { startMlflowFake, type MlflowFake } from './testing/mlflow-fake.js';
import { tempPackRoot, writeSyntheticPack } from './testing/synthetic-pack.js';
import { RegistryUnavailableError, type ModelRegistry } from './types.js';

async function digestOf(stream: ReadableStream<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}

/** Puts a pack's files where `mlflow.log_artifacts(pack_dir, "tfjs")` would, behind the proxy. */
function logArtifacts(fake: MlflowFake, pack: VerifiedPack, artifactPath: string) {
  for (const file of [...pack.manifest.files.map((f) => f.path), 'manifest.json']) {
    fake.files.set(`mlflow-artifacts:/${artifactPath}/${file}`, readFileSync(join(pack.dir, file)));
  }
}

/** river-fish's validation numbers; reef-fish has none. */
const RIVER_SURE = { threshold: 0.76, coverage: 0.12, accuracy: 0.78 };

describe('MLflow registry (contract fake of an MLflow 2.x server)', () => {
  let fake: MlflowFake;
  let s3: TestS3Server;
  let registry: ModelRegistry;
  let river: VerifiedPack;
  let reef: VerifiedPack;
  const root = tempPackRoot();
  const open = (url: string, timeoutMs = 2_000) =>
    createMlflowRegistry({
      client: createMlflowClient({ trackingUri: url, timeoutMs }),
      s3: () => createS3Client(s3.settings),
      storageTimeoutMs: timeoutMs,
      experimentId: '0',
    });

  beforeAll(async () => {
    [fake, s3] = await Promise.all([startMlflowFake(), startTestS3Server('mlflow-artifacts')]);
    registry = open(fake.url);
    river = await verifyPack(
      writeSyntheticPack(join(root, 'river'), {
        name: 'river-fish',
        nested: true,
        sure: RIVER_SURE,
      }),
    );
    reef = await verifyPack(writeSyntheticPack(join(root, 'reef'), { name: 'reef-fish' }));
    // river-fish: logged by a Python job with the proxy, source = the resolved artifact URI.
    logArtifacts(fake, river, '1/run1/artifacts/tfjs');
    fake.addVersion('river-fish', 'mlflow-artifacts:/1/run1/artifacts/tfjs', {
      alias: 'production',
      runId: 'run1',
    });
    // reef-fish: artifacts in S3, registered with a runs:/ source that names the run.
    const store = createS3ObjectStore({
      client: createS3Client(s3.settings),
      bucket: s3.bucket,
      prefix: 'mlflow/2/run2/artifacts/tfjs',
      timeoutMs: 5_000,
    });
    for (const file of [
      ...reef.manifest.files,
      { path: 'manifest.json', size: reef.manifestBytes.length, sha256: reef.digest },
    ]) {
      await store.put(file.path, join(reef.dir, file.path), {
        sha256: file.sha256,
        size: file.size,
        contentType: 'application/octet-stream',
      });
    }
    fake.addRun('run2', `s3://${s3.bucket}/mlflow/2/run2/artifacts`);
    fake.addVersion('reef-fish', 'runs:/run2/tfjs', { alias: 'production', runId: 'run2' });
  });
  afterAll(async () => {
    await fake?.stop();
    await s3?.stop();
  });

  it('lists each model at its production alias with size, label count, description, species and validation numbers from the pack', async () => {
    const listed = await registry.listModels('production');
    const species = ['bream', 'perch', 'pike'].map((id) => ({
      latin: `Latinus ${id}`,
      names: { en: id },
    }));
    for (const entry of listed)
      expect(new Date(entry.createdAt).toISOString()).toBe(entry.createdAt);
    expect(listed.map(({ createdAt: _createdAt, ...rest }) => rest)).toEqual([
      {
        name: 'reef-fish',
        version: 1,
        alias: 'production',
        sizeBytes: reef.sizeBytes,
        labelCount: 3,
        description: 'Synthetic reef-fish for tests',
        species,
      },
      {
        name: 'river-fish',
        version: 1,
        alias: 'production',
        sizeBytes: river.sizeBytes,
        labelCount: 3,
        description: 'Synthetic river-fish for tests',
        species,
        sure: RIVER_SURE,
      },
    ]);
  });

  it('reads a version behind an alias and streams its files from the artifact proxy, byte ranges too', async () => {
    const version = await registry.getVersionByAlias('river-fish', 'production');
    expect(version).toMatchObject({
      name: 'river-fish',
      version: 1,
      aliases: ['production'],
      metadata: river.metadataJson,
    });
    for (const file of version!.files)
      expect(await digestOf(await registry.openFile(version!, file.path))).toBe(file.sha256);
    const shard = readFileSync(join(river.dir, 'group1-shard1of1.bin'));
    const part = Buffer.from(
      await new Response(
        await registry.openFile(version!, 'group1-shard1of1.bin', {
          range: { start: 70_000, end: 70_099 },
        }),
      ).arrayBuffer(),
    );
    expect(part.equals(shard.subarray(70_000, 70_100))).toBe(true);
  });

  it('resolves a runs:/ source through runs/get and reads s3:// artifacts with the S3 client', async () => {
    const version = await registry.getVersion('reef-fish', 1);
    expect(version?.location).toBe(`s3://${s3.bucket}/mlflow/2/run2/artifacts/tfjs`);
    for (const file of version!.files)
      expect(await digestOf(await registry.openFile(version!, file.path))).toBe(file.sha256);
  });

  it('answers null for an unknown model, alias or version (MLflow RESOURCE_DOES_NOT_EXIST)', async () => {
    expect(await registry.getVersionByAlias('no-such-model', 'production')).toBeNull();
    expect(await registry.getVersionByAlias('river-fish', 'canary')).toBeNull();
    expect(await registry.getVersion('river-fish', 9)).toBeNull();
    expect(await registry.setAlias('river-fish', 'production', 9)).toBe(false);
  });

  it('publishes through the REST API: a run holds the uploaded pack, a tagged version, the alias moved', async () => {
    const next = await verifyPack(
      writeSyntheticPack(join(root, 'river2'), {
        name: 'river-fish',
        description: 'from publish-model',
      }),
    );
    fake.requests.length = 0;
    const { version, created } = await registry.publish(next, {
      name: 'river-fish',
      alias: 'production',
    });
    expect(created).toBe(true);
    expect(version).toMatchObject({ name: 'river-fish', version: 2, aliases: ['production'] });
    // Files are uploaded into the run before the version that points at them is created.
    const at = (call: string) => fake.requests.findIndex((r) => r.startsWith(call));
    expect(at('GET /api/2.0/mlflow/model-versions/search')).toBe(0);
    expect(at('POST /api/2.0/mlflow/runs/create')).toBeLessThan(
      at('PUT /api/2.0/mlflow-artifacts/artifacts/'),
    );
    expect(at('PUT /api/2.0/mlflow-artifacts/artifacts/')).toBeLessThan(
      at('POST /api/2.0/mlflow/runs/update'),
    );
    expect(at('POST /api/2.0/mlflow/runs/update')).toBeLessThan(
      at('POST /api/2.0/mlflow/model-versions/create'),
    );
    expect(at('POST /api/2.0/mlflow/registered-models/create')).toBeLessThan(
      at('POST /api/2.0/mlflow/model-versions/create'),
    );
    expect(at('POST /api/2.0/mlflow/model-versions/create')).toBeLessThan(
      at('POST /api/2.0/mlflow/registered-models/alias'),
    );
    expect(
      fake.requests.filter((r) => r.startsWith('PUT /api/2.0/mlflow-artifacts/artifacts/0/')),
    ).toHaveLength(next.manifest.files.length + 1);
    const fetched = await registry.getVersionByAlias('river-fish', 'production');
    expect(fetched?.version).toBe(2);
    expect(fetched?.location).toMatch(/^mlflow-artifacts:\/0\/[0-9a-f]+\/artifacts\/tfjs$/);
    for (const file of fetched!.files)
      expect(await digestOf(await registry.openFile(fetched!, file.path))).toBe(file.sha256);

    const again = await registry.publish(next, { name: 'river-fish', alias: 'production' });
    expect(again).toMatchObject({ created: false, version: { version: 2 } });
    expect(PACK_DIGEST_TAG).toBe('fishlens.pack_sha256');
  });

  it('moves an alias with registered-models/alias', async () => {
    expect(await registry.setAlias('river-fish', 'production', 1)).toBe(true);
    expect((await registry.getVersionByAlias('river-fish', 'production'))?.version).toBe(1);
  });

  it('reports MLflow answering 503 as RegistryUnavailableError', async () => {
    fake.mode = 'down';
    try {
      await expect(registry.getVersionByAlias('river-fish', 'production')).rejects.toBeInstanceOf(
        RegistryUnavailableError,
      );
    } finally {
      fake.mode = 'up';
    }
  });

  it('gives up on an MLflow that never answers, within the timeout, and the API says 503', async () => {
    fake.mode = 'hang';
    try {
      const quick = open(fake.url, 300);
      const started = Date.now();
      await expect(quick.getVersionByAlias('river-fish', 'production')).rejects.toThrow(
        /did not answer within 300 ms/,
      );
      const app = createApp({
        config: loadConfig({}),
        db: {} as Database,
        log: createLogger('silent'),
        installation: { id: 'test', firstStartedAt: new Date().toISOString() },
        registry: quick,
      });
      const res = await app.request('/api/v1/models');
      expect(res.status).toBe(503);
      // The cause (MLflow's address, the timeout) goes to the log, not to the client.
      const body = (await res.json()) as { detail: string };
      expect(body.detail).toMatch(/registry or its file storage cannot be reached/);
      expect(body.detail).not.toMatch(/MLflow|300 ms/);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      fake.mode = 'up';
    }
  });

  it('reports a refused connection as RegistryUnavailableError naming MLflow', async () => {
    await expect(open('http://127.0.0.1:1').listModels('production')).rejects.toThrow(
      /MLflow at http:\/\/127\.0\.0\.1:1 is not reachable/,
    );
  });
});

describe('MLflow registry whose artifact root is S3 (contract fake + s3rver)', () => {
  let fake: MlflowFake;
  let s3: TestS3Server;

  beforeAll(async () => {
    s3 = await startTestS3Server('mlflow-s3-root');
    fake = await startMlflowFake({ artifactRoot: `s3://${s3.bucket}/mlartifacts` });
  });
  afterAll(async () => {
    await fake?.stop();
    await s3?.stop();
  });

  it('publish-model uploads the pack to the run folder in S3, registers the version through REST, and serves it', async () => {
    const dir = writeSyntheticPack(join(tempPackRoot(), 'p'), { name: 'river-fish' });
    const lines: string[] = [];
    const code = await publishModelCommand(
      [dir, '--alias', 'production'],
      {
        MLFLOW_TRACKING_URI: fake.url,
        S3_ENDPOINT: s3.settings.endpoint,
        S3_ACCESS_KEY_ID: 'S3RVER',
        S3_SECRET_ACCESS_KEY: 'S3RVER',
        S3_FORCE_PATH_STYLE: 'true',
      },
      (line) => lines.push(line),
    );
    expect(lines.join('\n')).toMatch(/Published river-fish version 1 to MLflow registry/);
    expect(code).toBe(0);
    expect(fake.requests.some((r) => r.includes('mlflow-artifacts'))).toBe(false);

    const registry = createMlflowRegistry({
      client: createMlflowClient({ trackingUri: fake.url, timeoutMs: 2_000 }),
      s3: () => createS3Client(s3.settings),
      storageTimeoutMs: 2_000,
      experimentId: '0',
    });
    const version = await registry.getVersionByAlias('river-fish', 'production');
    expect(version?.location).toMatch(
      new RegExp(`^s3://${s3.bucket}/mlartifacts/0/[0-9a-f]+/artifacts/tfjs$`),
    );
    for (const file of version!.files)
      expect(await digestOf(await registry.openFile(version!, file.path))).toBe(file.sha256);
  });
});
