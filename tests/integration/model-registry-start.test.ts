/**
 * A fresh `npm start` with the embedded defaults (PGlite and local files in an empty DATA_DIR)
 * publishes the demo packs and serves them: each listed model's files download with exactly the
 * size and sha256 the API lists. Uses synthetic packs in a temp folder as DEMO_MODELS_DIR; a
 * second case runs with the bundled models/demo packs once they exist.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { modelListSchema, modelVersionSchema } from '../../shared/models-api.js';
import { tempPackRoot, writeSyntheticPack } from '../../server/registry/testing/synthetic-pack.js';
import { startFishlens, type FishlensServer } from '../support/fishlens-server.js';

const BUNDLED = fileURLToPath(new URL('../../models/demo/', import.meta.url));

async function listAndDownloadEverything(url: string) {
  const list = modelListSchema.parse(await (await fetch(`${url}/api/v1/models`)).json());
  for (const model of list.models) {
    const version = modelVersionSchema.parse(
      await (await fetch(`${url}/api/v1/models/${model.name}`)).json(),
    );
    expect(version.version).toBe(model.version);
    for (const file of version.files) {
      const res = await fetch(`${url}${file.url}`);
      expect(res.status, file.url).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length, file.url).toBe(file.size);
      expect(createHash('sha256').update(bytes).digest('hex'), file.url).toBe(file.sha256);
    }
  }
  return list.models;
}

describe('a fresh npm start with the embedded defaults', { timeout: 360_000 }, () => {
  const servers: FishlensServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.dispose();
  });

  it('publishes the demo packs on first start, serves them intact, and does not republish on restart', async () => {
    const demo = tempPackRoot();
    writeSyntheticPack(join(demo, 'river-fish'), { name: 'river-fish', shardBytes: 1_000_000 });
    writeSyntheticPack(join(demo, 'reef-fish'), { name: 'reef-fish', shardBytes: 1_000_000 });
    const server = await startFishlens({
      embedded: true,
      env: { DEMO_MODELS_DIR: demo },
      timeoutMs: 180_000,
    });
    servers.push(server);
    const models = await listAndDownloadEverything(server.url);
    expect(models.map((m) => [m.name, m.version, m.alias])).toEqual([
      ['reef-fish', 1, 'production'],
      ['river-fish', 1, 'production'],
    ]);
    await server.stop();
    await server.restart();
    const again = await listAndDownloadEverything(server.url);
    expect(again.map((m) => [m.name, m.version])).toEqual([
      ['reef-fish', 1],
      ['river-fish', 1],
    ]);
  });

  const bundled = existsSync(BUNDLED)
    ? readdirSync(BUNDLED).filter((d) => existsSync(join(BUNDLED, d, 'manifest.json')))
    : [];
  it.skipIf(bundled.length === 0)(
    'lists every bundled pack in models/demo and serves its files intact',
    async () => {
      const server = await startFishlens({ embedded: true, timeoutMs: 180_000 });
      servers.push(server);
      const models = await listAndDownloadEverything(server.url);
      expect(models.map((m) => m.name).sort()).toEqual(expect.arrayContaining(bundled.sort()));
    },
  );
});
