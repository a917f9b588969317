/**
 * The MLflow registry against the contract fake (testing/mlflow-fake.ts, which follows MLflow's
 * source) in the situations a team meets on MLflow 3.x and 2.x: models:/ sources, bare TF.js
 * exports, versions that are no model, reserved alias names, basic auth. Each test states the
 * answer a user (the app, through /api/v1, or the publisher) gets.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import type { Database } from '../db/index.js';
import { createLogger } from '../log.js';
import { createMlflowRegistry } from './mlflow.js';
import { createMlflowClient, type MlflowSettings } from './mlflow-client.js';
import { verifyPack } from './pack.js';
import { startMlflowFake, type MlflowFake } from './testing/mlflow-fake.js';
import { tempPackRoot, writeSyntheticPack } from './testing/synthetic-pack.js';
import type { ModelRegistry } from './types.js';

const LIVENESS = join(import.meta.dirname, '../../tests/fixtures/models/human-liveness');
const MODEL_ID = 'm-0123456789abcdef0123456789abcdef';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const bytesOf = async (stream: ReadableStream<Uint8Array>) =>
  new Uint8Array(await new Response(stream).arrayBuffer());

/** A bare converter export (model.json + shard, labels optional) under an artifact URI. */
function logBareExport(fake: MlflowFake, uri: string, labels = true) {
  for (const file of ['model.json', 'liveness.bin', ...(labels ? ['labels.txt'] : [])])
    fake.files.set(`${uri}/${file}`, readFileSync(join(LIVENESS, file)));
}

function open(fake: MlflowFake, settings: Partial<MlflowSettings> = {}): ModelRegistry {
  return createMlflowRegistry({
    client: createMlflowClient({ trackingUri: fake.url, timeoutMs: 2_000, ...settings }),
    s3: () => {
      throw new Error('no S3 in these tests');
    },
    storageTimeoutMs: 2_000,
    experimentId: '0',
  });
}

function api(registry: ModelRegistry) {
  const app = createApp({
    config: loadConfig({}),
    db: {} as Database,
    log: createLogger('silent'),
    installation: { id: 'test', firstStartedAt: new Date().toISOString() },
    registry,
  });
  return (path: string, init?: RequestInit) => app.request(path, init);
}

describe('an MLflow 3.x registry', () => {
  let fake: MlflowFake;
  let registry: ModelRegistry;

  beforeAll(async () => {
    fake = await startMlflowFake({ major: 3 });
    registry = open(fake);
    // log_model(..., registered_model_name="liveness") on 3.x: source models:/m-<id>, files in
    // the logged model's artifact folder.
    const location = `mlflow-artifacts:/1/models/${MODEL_ID}/artifacts`;
    fake.addLoggedModel(MODEL_ID, location);
    logBareExport(fake, location);
    fake.addVersion('liveness', `models:/${MODEL_ID}`, { alias: 'production' });
    // A tensorflow-flavour model (MLmodel + SavedModel), registered and aliased: no TF.js files.
    const saved = 'mlflow-artifacts:/1/models/m-ffffffffffffffffffffffffffffffff/artifacts';
    fake.addLoggedModel('m-ffffffffffffffffffffffffffffffff', saved);
    fake.files.set(`${saved}/MLmodel`, Buffer.from('flavors:\n  tensorflow: {}\n'));
    fake.addVersion('keras-saved-model', 'models:/m-ffffffffffffffffffffffffffffffff', {
      alias: 'production',
    });
    // A bare export whose labels are MLflow tags: on the version, preprocessing on the run.
    fake.addRun('run7', 'gs://team-bucket/7/run7/artifacts', { 'fishlens.preprocess': 'unit' });
    logBareExport(fake, 'gs://team-bucket/7/run7/artifacts/tfjs', false);
    fake.addVersion('tagged', 'gs://team-bucket/7/run7/artifacts/tfjs', {
      alias: 'production',
      runId: 'run7',
      tags: { 'fishlens.labels': '["spoof", "live"]' },
    });
  });
  afterAll(() => fake?.stop());

  it('serves a models:/m-<id> version made from a bare export: metadata made by the server, files hashed by it', async () => {
    const version = await registry.getVersionByAlias('liveness', 'production');
    expect(version?.location).toBe(`mlflow-artifacts:/1/models/${MODEL_ID}/artifacts`);
    expect(fake.requests).toContain('GET /api/2.0/mlflow/model-versions/get-download-uri');
    expect(version?.metadata).toMatchObject({
      modelFormat: 'tfjs-graph',
      labels: [{ id: 'fake' }, { id: 'real' }],
      input: { width: 32, height: 32 },
    });
    const shard = readFileSync(join(LIVENESS, 'liveness.bin'));
    expect(version?.files.find((f) => f.path === 'liveness.bin')).toEqual({
      path: 'liveness.bin',
      size: shard.length,
      sha256: sha256(shard),
    });
    // Every listed file, the generated metadata.json too, streams with the listed sha256.
    for (const file of version!.files)
      expect(sha256(await bytesOf(await registry.openFile(version!, file.path)))).toBe(file.sha256);

    const res = await api(registry)('/api/v1/models/liveness/versions/1/files/metadata.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(
      `"${version!.files.find((f) => f.path === 'metadata.json')!.sha256}"`,
    );
  });

  it('lists a version that is not a TF.js model as unusable with its reason, and the others as usual', async () => {
    const res = await api(registry)('/api/v1/models');
    expect(res.status).toBe(200);
    const { models } = (await res.json()) as { models: Record<string, unknown>[] };
    expect(models.map((m) => [m.name, m.unusable ?? null])).toEqual([
      [
        'keras-saved-model',
        expect.stringMatching(/there is no model\.json at mlflow-artifacts:.*not a TF\.js model/),
      ],
      ['liveness', null],
      ['tagged', null],
    ]);
    // Asked for directly, the version answers 422 with the reason, not 503 "storage down".
    const direct = await api(registry)('/api/v1/models/keras-saved-model');
    expect(direct.status).toBe(422);
    expect(((await direct.json()) as { detail: string }).detail).toMatch(/no model\.json/);
  });

  it('reads a gs:// source through model-versions/get-artifact, labels from the version tag, preprocessing from the run tag', async () => {
    const version = await registry.getVersionByAlias('tagged', 'production');
    expect(version?.metadata).toMatchObject({
      labels: [{ id: 'spoof' }, { id: 'live' }],
      preprocessing: { scale: 255, offset: 0 },
    });
    expect(fake.requests).toContain('GET /model-versions/get-artifact');
    const shard = readFileSync(join(LIVENESS, 'liveness.bin'));
    const part = await bytesOf(
      await registry.openFile(version!, 'liveness.bin', { range: { start: 100, end: 199 } }),
    );
    expect(Buffer.from(part).equals(shard.subarray(100, 200))).toBe(true);
  });

  it('refuses reserved alias names with 400 before asking MLflow', async () => {
    const call = api(registry);
    const before = fake.requests.length;
    for (const path of ['/api/v1/models?alias=latest', '/api/v1/models/liveness?alias=v1']) {
      const res = await call(path);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/is reserved/);
    }
    expect(fake.requests.length).toBe(before);
  });

  it('MLflow itself refuses to set a reserved alias (400), as the fake follows validation.py', async () => {
    await expect(registry.setAlias('liveness', 'latest', 1)).rejects.toThrow(
      /'latest' alias name \(case insensitive\) is reserved/,
    );
  });
});

describe('an MLflow server with basic auth (mlflow server --app-name basic-auth)', () => {
  let fake: MlflowFake;
  const users = { reader: { password: 'r' }, admin: { password: 'a', admin: true } };

  beforeAll(async () => {
    fake = await startMlflowFake({ users });
    logBareExport(fake, 'mlflow-artifacts:/0/r/artifacts/tfjs');
    fake.addVersion('liveness', 'mlflow-artifacts:/0/r/artifacts/tfjs', { alias: 'production' });
  });
  afterAll(() => fake?.stop());

  it('sends Basic credentials when both a token and a user are configured, as the Python client does', async () => {
    const registry = open(fake, { username: 'reader', password: 'r', token: 'tok' });
    expect((await registry.listModels('production')).map((m) => m.name)).toEqual(['liveness']);
    expect(fake.authorizations.at(-1)).toBe(`Basic ${Buffer.from('reader:r').toString('base64')}`);
  });

  it('a wrong password is reported as refused credentials (401), not as MLflow being down', async () => {
    const res = await api(open(fake, { username: 'reader', password: 'nope' }))('/api/v1/models');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { detail: string }).detail).toMatch(
      /refused Fishlens's credentials \(401 Unauthorized\).*MLFLOW_TRACKING_USERNAME/,
    );
  });

  it('publishing as a read-only user is reported as denied permission (403)', async () => {
    const pack = await verifyPack(writeSyntheticPack(join(tempPackRoot(), 'p'), { name: 'x' }));
    await expect(
      open(fake, { username: 'reader', password: 'r' }).publish(pack, { name: 'x' }),
    ).rejects.toThrow(
      /denied the user reader permission \(403 Permission denied\) for runs\/create/,
    );
  });
});

describe('paging', () => {
  it('finds a model on the second page of registered-models/search (1000 per page)', async () => {
    const fake = await startMlflowFake();
    try {
      for (let i = 0; i < 1000; i++) fake.addVersion(`m${String(i).padStart(4, '0')}`, 's3://b/x');
      logBareExport(fake, 'mlflow-artifacts:/0/r/artifacts/tfjs');
      fake.addVersion('zz-liveness', 'mlflow-artifacts:/0/r/artifacts/tfjs', {
        alias: 'production',
      });
      const listed = await open(fake).listModels('production');
      expect(listed.map((m) => m.name)).toEqual(['zz-liveness']);
      expect(
        fake.requests.filter((r) => r === 'GET /api/2.0/mlflow/registered-models/search'),
      ).toHaveLength(2);
    } finally {
      await fake.stop();
    }
  });
});
