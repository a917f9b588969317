import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelListSchema, modelVersionSchema } from '../../shared/models-api.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/test-database.js';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import type { Database } from '../db/index.js';
import { ensureInstallation, type Installation } from '../installation.js';
import { createLogger } from '../log.js';
import { createBuiltinRegistry } from '../registry/builtin.js';
import { verifyPack } from '../registry/pack.js';
import { tempPackRoot, writeSyntheticPack } from '../registry/testing/synthetic-pack.js';
import { createLocalObjectStore } from '../storage/local.js';
import { unreachableS3Store } from '../storage/testing/s3-server.js';

const log = createLogger('silent');
const ADMIN_TOKEN = 'test-admin-token-0123456789';
const BASE = '/api/v1/models';
const REEF_DISPLAY = {
  title: { en: 'Coral reef fish', ru: 'Рыбы коралловых рифов' },
  description: { en: 'Reef species.', ru: 'Рифовые виды.' },
};
const REEF_SURE = { threshold: 0.52, coverage: 0.67, accuracy: 0.91 };

describe('the model registry API', () => {
  let test: TestDatabase;
  let installation: Installation;
  let app: ReturnType<typeof createApp>;
  const storeDir = mkdtempSync(join(tmpdir(), 'fishlens-files-'));
  const appWith = (
    db: Database,
    store = createLocalObjectStore(storeDir),
    token: string | null = ADMIN_TOKEN,
  ) =>
    createApp({
      config: loadConfig(token ? { ADMIN_TOKEN: token } : {}),
      db,
      log,
      installation,
      registry: createBuiltinRegistry(db, store),
    });

  beforeAll(async () => {
    test = await createTestDatabase();
    installation = await ensureInstallation(test.db);
    const registry = createBuiltinRegistry(test.db, createLocalObjectStore(storeDir));
    const root = tempPackRoot();
    for (const name of ['river-fish', 'reef-fish']) {
      const reef = name === 'reef-fish';
      const pack = await verifyPack(
        writeSyntheticPack(join(root, name), {
          name,
          nested: true,
          ...(reef ? { display: REEF_DISPLAY, sure: REEF_SURE } : {}),
        }),
      );
      await registry.publish(pack, { name, alias: 'production' });
    }
    const v2 = await verifyPack(
      writeSyntheticPack(join(root, 'river-2'), { name: 'river-fish', description: 'second' }),
    );
    await registry.publish(v2, { name: 'river-fish' });
    app = appWith(test.db);
  });
  afterAll(() => test.drop());

  it('lists one entry per model, the version behind production, in the documented shape, with its localised title, species and how often it is right', async () => {
    const res = await app.request(BASE);
    expect(res.status).toBe(200);
    const body = modelListSchema.parse(await res.json());
    expect(body.models.map((m) => [m.name, m.version, m.alias])).toEqual([
      ['reef-fish', 1, 'production'],
      ['river-fish', 1, 'production'],
    ]);
    const { createdAt, sizeBytes, ...rest } = body.models[0]!;
    expect(Date.parse(createdAt)).toBeGreaterThan(0);
    expect(sizeBytes).toBeGreaterThan(200_000);
    expect(rest).toEqual({
      name: 'reef-fish',
      version: 1,
      alias: 'production',
      labelCount: 3,
      description: 'Synthetic reef-fish for tests',
      display: REEF_DISPLAY,
      species: ['bream', 'perch', 'pike'].map((id) => ({
        latin: `Latinus ${id}`,
        names: { en: id },
      })),
      sure: REEF_SURE,
    });
    // A pack without a localised title (a bare export) is listed without one.
    expect(body.models[1]!.display).toBeUndefined();
  });

  it('lists a pack without validation numbers, or with numbers stored in a shape it cannot read, without `sure` and without failing', async () => {
    // Numbers in a shape the pack schema refuses (a share as a percentage, no threshold), as a
    // version registered under an earlier pack format may hold. Publishing refuses such metadata
    // and versions cannot be updated, so the row is written directly.
    const pond = await verifyPack(
      writeSyntheticPack(join(tempPackRoot(), 'pond'), { name: 'pond-fish', sure: REEF_SURE }),
    );
    const metadata = structuredClone(pond.metadataJson) as {
      metrics: { validation: Record<string, unknown> };
    };
    metadata.metrics.validation.sure = { coverage: 67, accuracy: 0.91 };
    await test.db.query("INSERT INTO registered_models (name) VALUES ('pond-fish')");
    await test.db.query(
      `INSERT INTO model_versions (name, version, pack_sha256, storage_prefix, metadata, label_count, size_bytes)
       VALUES ('pond-fish', 1, $1, 'models/pond-fish/old', $2::jsonb, 3, $3)`,
      [pond.digest, JSON.stringify(metadata), pond.sizeBytes],
    );
    await test.db.query(
      "INSERT INTO model_aliases (name, alias, version) VALUES ('pond-fish', 'production', 1)",
    );
    const res = await app.request(BASE);
    expect(res.status).toBe(200);
    const byName = new Map(modelListSchema.parse(await res.json()).models.map((m) => [m.name, m]));
    expect(byName.get('reef-fish')?.sure).toEqual(REEF_SURE);
    expect(byName.get('river-fish')).toMatchObject({ labelCount: 3 });
    expect(byName.get('river-fish')).not.toHaveProperty('sure');
    expect(byName.get('pond-fish')?.species).toHaveLength(3);
    expect(byName.get('pond-fish')).not.toHaveProperty('sure');
  });

  it('answers a model by alias and a version by number, with file URLs that download intact', async () => {
    const byAlias = modelVersionSchema.parse(
      await (await app.request(`${BASE}/river-fish`)).json(),
    );
    expect(byAlias).toMatchObject({ name: 'river-fish', version: 1, aliases: ['production'] });
    const byNumber = modelVersionSchema.parse(
      await (await app.request(`${BASE}/river-fish/versions/2`)).json(),
    );
    expect(byNumber).toMatchObject({ version: 2, aliases: [] });
    expect(byNumber.metadata.description).toBe('second');
    for (const file of byAlias.files) {
      const res = await app.request(file.url);
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBe(file.size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
      expect(res.headers.get('content-length')).toBe(String(file.size));
      expect(res.headers.get('etag')).toBe(`"${file.sha256}"`);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect(byAlias.files.map((f) => f.url)).toContain(
      `${BASE}/river-fish/versions/1/files/extra/notes.txt`,
    );
  });

  it('answers a revalidation of unchanged version info with 304, and a changed alias with 200', async () => {
    const first = await app.request(`${BASE}/reef-fish`);
    const tag = first.headers.get('etag');
    expect(first.headers.get('cache-control')).toBe('no-cache');
    expect(tag).toBeTruthy();
    const again = await app.request(`${BASE}/reef-fish`, {
      headers: { 'If-None-Match': tag ?? '' },
    });
    expect(again.status).toBe(304);
    const list = await app.request(BASE);
    const listAgain = await app.request(BASE, {
      headers: { 'If-None-Match': list.headers.get('etag') ?? '' },
    });
    expect(listAgain.status).toBe(304);
  });

  it('sends JSON files as application/json and shards as application/octet-stream', async () => {
    expect(
      (await app.request(`${BASE}/river-fish/versions/1/files/model.json`)).headers.get(
        'content-type',
      ),
    ).toBe('application/json');
    expect(
      (await app.request(`${BASE}/river-fish/versions/1/files/group1-shard1of1.bin`)).headers.get(
        'content-type',
      ),
    ).toBe('application/octet-stream');
  });

  it('honours Range with 206 and Content-Range, and answers 416 outside the file', async () => {
    const url = `${BASE}/river-fish/versions/1/files/group1-shard1of1.bin`;
    const full = Buffer.from(await (await app.request(url)).arrayBuffer());
    const part = await app.request(url, { headers: { Range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${full.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(full.subarray(100, 200))).toBe(true);
    const suffix = await app.request(url, { headers: { Range: 'bytes=-10' } });
    expect(Buffer.from(await suffix.arrayBuffer()).equals(full.subarray(full.length - 10))).toBe(
      true,
    );
    const outside = await app.request(url, { headers: { Range: `bytes=${full.length}-` } });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${full.length}`);
    const staleIfRange = await app.request(url, {
      headers: { Range: 'bytes=0-9', 'If-Range': '"other"' },
    });
    expect(staleIfRange.status).toBe(200);
  });

  it('answers HEAD with the headers and no body, and If-None-Match with 304', async () => {
    const url = `${BASE}/river-fish/versions/1/files/group1-shard1of1.bin`;
    const head = await app.request(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const etag = head.headers.get('etag') ?? '';
    const cached = await app.request(url, { headers: { 'If-None-Match': etag } });
    expect(cached.status).toBe(304);
  });

  it.each([
    [`${BASE}/no-such-model`, 404],
    [`${BASE}/river-fish?alias=canary`, 404],
    [`${BASE}/river-fish/versions/9`, 404],
    [`${BASE}/river-fish/versions/1/files/nope.bin`, 404],
    [`${BASE}/river-fish/versions/1/files/manifest.json`, 404],
    [`${BASE}/river-fish/versions/1/files/..%2F..%2Fpackage.json`, 404],
    [`${BASE}/river-fish/versions/1/files/extra%2F..%2Fmodel.json`, 404],
    [`${BASE}/River_Fish!`, 400],
    [`${BASE}/river-fish/versions/0`, 400],
    [`${BASE}/river-fish/versions/1e3`, 400],
    [`${BASE}/river-fish/versions/99999999999`, 400],
    [`${BASE}/river-fish?alias=Bad%20Alias`, 400],
  ])('answers %s with %i problem+json', async (url, status) => {
    const res = await app.request(url);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('needs the admin token to move an alias: 401 without, 403 wrong, 403 when disabled', async () => {
    const put = (token?: string, target = app) =>
      target.request(`${BASE}/river-fish/aliases/production`, {
        method: 'PUT',
        headers: {
          'Content-Type': 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ version: 2 }),
      });
    expect((await put()).status).toBe(401);
    expect((await put('wrong-token-wrong-token')).status).toBe(403);
    const disabled = await put(ADMIN_TOKEN, appWith(test.db, undefined, null));
    expect(disabled.status).toBe(403);
    expect(((await disabled.json()) as { detail: string }).detail).toMatch(/ADMIN_TOKEN/);
    expect(
      ((await (await app.request(`${BASE}/river-fish`)).json()) as { version: number }).version,
    ).toBe(1);
  });

  it('moves an alias with the admin token, and refuses a version that does not exist', async () => {
    const put = (version: number) =>
      app.request(`${BASE}/river-fish/aliases/production`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({ version }),
      });
    expect((await put(7)).status).toBe(404);
    const moved = await put(2);
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ version: 2, aliases: ['production'] });
    const listed = modelListSchema.parse(await (await app.request(BASE)).json());
    expect(listed.models.find((m) => m.name === 'river-fish')?.version).toBe(2);
  });

  it('answers 503 that says what to do, not a hang nor the cause, when the database behind the registry is down', async () => {
    const down: Database = {
      ...test.db,
      query: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')),
    };
    const res = await appWith(down).request(BASE);
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).toMatch(/cannot be reached right now\. Try again/);
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });

  it('answers 503 without internals when object storage is down', async () => {
    const deadStore = unreachableS3Store();
    const res = await appWith(test.db, deadStore).request(
      `${BASE}/river-fish/versions/1/files/model.json`,
    );
    expect(res.status).toBe(503);
    const body = (await res.json()) as { detail: string };
    expect(body.detail).toMatch(/cannot be reached right now/);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|https?:\/\/|127\.0\.0\.1/);
    expect(res.headers.get('retry-after')).toBe('10');
  });

  it('answers 503 when a registered file is missing from storage', async () => {
    const empty = createLocalObjectStore(mkdtempSync(join(tmpdir(), 'fishlens-empty-')));
    const res = await appWith(test.db, empty).request(
      `${BASE}/river-fish/versions/1/files/model.json`,
    );
    expect(res.status).toBe(503);
  });
});
