/**
 * The server never acknowledges a write it cannot keep: with its data folder deleted or swapped
 * (embedded PGlite) or its database replaced (PostgreSQL) it answers 503 with Retry-After,
 * /readyz turns red, and a start on a fresh database where another was used says so loudly.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, describe, expect, it } from 'vitest';
import { capturingLogger } from '../tests/support/capturing-logger.js';
import { createTestDatabase } from '../tests/support/test-database.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { captureDataIdentity } from './data-identity.js';
import { migrate } from './db/migrate.js';
import { openPostgres } from './db/postgres.js';
import { makePrediction } from './ingest/testing/ingest-app.js';
import { ensureInstallation } from './installation.js';
import { createLogger } from './log.js';
import { startServer } from './main.js';

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** A client of one server: registers once, then sends batches. */
function client(url: string) {
  let auth: Record<string, string> = {};
  return {
    async register() {
      const res = await fetch(`${url}/api/v1/devices`, { method: 'POST' });
      if (res.status === 201) {
        auth = { Authorization: `Bearer ${((await res.json()) as { token: string }).token}` };
      }
      return res;
    },
    send: (n = 3) =>
      fetch(`${url}/api/v1/predictions/batch`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...auth },
        body: JSON.stringify({ predictions: Array.from({ length: n }, () => makePrediction()) }),
      }),
  };
}

async function expectRefusedWrites(url: string, phone: ReturnType<typeof client>) {
  const batch = await phone.send();
  expect(batch.status).toBe(503);
  expect(Number(batch.headers.get('retry-after'))).toBeGreaterThan(0);
  const body = (await batch.json()) as { detail: string; requestId: string };
  expect(body.detail).toMatch(/not the storage it started with.*Nothing was stored/);
  expect(body.requestId).toBe(batch.headers.get('x-request-id'));
  expect((await phone.register()).status).toBe(503);
  const ready = await fetch(`${url}/readyz`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toMatchObject({ checks: { database: 'replaced' } });
  // A device whose token the swapped database does not know is not told to register again.
  const stranger = await fetch(`${url}/api/v1/predictions/batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${'Q'.repeat(43)}` },
    body: JSON.stringify({ predictions: [makePrediction()] }),
  });
  expect(stranger.status).toBe(503);
}

describe('the embedded data folder (PGlite)', { timeout: 120_000 }, () => {
  const cleanup: string[] = [];
  afterAll(() => cleanup.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  async function start(dataDir: string, stateDir: string, log = createLogger('silent')) {
    const clientDir = temp('fishlens-client-');
    writeFileSync(join(clientDir, 'index.html'), '<!doctype html>');
    cleanup.push(dataDir, stateDir, clientDir);
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      METRICS_PORT: 'off',
      DATA_DIR: dataDir,
      DEMO_MODELS: 'never',
    });
    return startServer(config, log, { stateDir, clientDir });
  }

  it('refuses writes and turns /readyz red once DATA_DIR is deleted while running', async () => {
    const dataDir = temp('fishlens-data-');
    const server = await start(dataDir, temp('fishlens-state-'));
    try {
      const phone = client(server.url);
      expect((await phone.register()).status).toBe(201);
      expect((await phone.send()).status).toBe(200);
      rmSync(dataDir, { recursive: true, force: true });
      await expectRefusedWrites(server.url, phone);
    } finally {
      await server.close().catch(() => {});
    }
  });

  it('refuses writes once the database folder is swapped for another', async () => {
    const dataDir = temp('fishlens-data-');
    const server = await start(dataDir, temp('fishlens-state-'));
    try {
      const phone = client(server.url);
      expect((await phone.register()).status).toBe(201);
      renameSync(join(dataDir, 'pglite'), join(dataDir, 'pglite.moved'));
      mkdirSync(join(dataDir, 'pglite'));
      await expectRefusedWrites(server.url, phone);
    } finally {
      await server.close().catch(() => {});
    }
  });

  it('says loudly at start that an empty DATA_DIR held another installation before', async () => {
    const dataDir = temp('fishlens-data-');
    const stateDir = temp('fishlens-state-');
    const first = await start(dataDir, stateDir);
    const before = (await (await fetch(`${first.url}/api/v1/info`)).json()) as {
      installationId: string;
    };
    await first.close();
    rmSync(dataDir, { recursive: true, force: true });

    const { log, text } = capturingLogger();
    const again = await start(dataDir, stateDir, log);
    await again.close();
    const warning = text()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .find((line) => line.level >= 50 && line.msg.includes('NOT the data'));
    expect(warning?.msg).toContain(before.installationId);
    expect(warning?.msg).toMatch(/restore it from a backup/);

    // The start after that one is quiet: the note now names the new installation.
    const quiet = capturingLogger();
    const third = await start(dataDir, stateDir, quiet.log);
    await third.close();
    expect(quiet.text()).not.toContain('NOT the data');
  });
});

describe('a PostgreSQL database replaced under the server', () => {
  it('answers 503 and turns /readyz red when the database is dropped and made again', async () => {
    const test = await createTestDatabase();
    if (!test.url) return; // PGlite fallback: there is no server to replace a database on.
    const installation = await ensureInstallation(test.db);
    const identity = await captureDataIdentity(installation);
    const app = createApp({
      config: loadConfig({}),
      db: test.db,
      log: createLogger('silent'),
      installation,
      identity,
    });
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const phone = client(url);
      expect((await phone.register()).status).toBe(201);
      expect((await phone.send()).status).toBe(200);

      // Another installation's database appears under the same URL (a restore of the wrong
      // backup, a recreated database that another replica migrated).
      const name = new URL(test.url).pathname.slice(1);
      const admin = openPostgres(test.url.replace(`/${name}`, '/postgres'), { poolMax: 1 });
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.close();
      const other = openPostgres(test.url, { poolMax: 1 });
      await migrate(other);
      await ensureInstallation(other);
      await other.close();
      await expectRefusedWrites(url, phone);
      const { rows } = await test.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM predictions',
      );
      expect(rows[0]!.n).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await test.drop();
    }
  });
});
