/**
 * While PostgreSQL cannot be reached, every request that needs it answers 503 with Retry-After
 * and a body that says what to do, never the driver's error (addresses, ports); when it comes
 * back, the same requests succeed without a restart.
 */
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, throughProxy, type TcpProxy } from '../tests/support/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/test-database.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { captureDataIdentity } from './data-identity.js';
import { DatabaseUnavailableError, type Database } from './db/database.js';
import { openPostgres } from './db/postgres.js';
import { makePrediction } from './ingest/testing/ingest-app.js';
import { ensureInstallation } from './installation.js';
import { createLogger } from './log.js';

describe('PostgreSQL going away under the server', () => {
  let test: TestDatabase;
  let proxy: TcpProxy;
  let db: Database;
  let server: ServerType;
  let url: string;
  const ADMIN = 'admin-token-0123456789abcdef';

  beforeAll(async () => {
    test = await createTestDatabase();
    if (!test.url) return;
    const target = new URL(test.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    db = openPostgres(throughProxy(test.url, proxy), { poolMax: 4 });
    const installation = await ensureInstallation(db);
    const app = createApp({
      config: loadConfig({ ADMIN_TOKEN: ADMIN }),
      db,
      log: createLogger('silent'),
      installation,
      identity: await captureDataIdentity(installation),
    });
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    if (test.url) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
      await proxy.close();
    }
    await test.drop();
  });

  it('answers 503 + Retry-After without internals, and recovers by itself', async (ctx) => {
    if (!test.url) ctx.skip();
    const device = (await (await fetch(`${url}/api/v1/devices`, { method: 'POST' })).json()) as {
      token: string;
    };
    const batch = () =>
      fetch(`${url}/api/v1/predictions/batch`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${device.token}` },
        body: JSON.stringify({ predictions: [makePrediction()] }),
      });
    expect((await batch()).status).toBe(200);

    proxy.cut();
    const requests = {
      batch: await batch(),
      register: await fetch(`${url}/api/v1/devices`, { method: 'POST' }),
      stats: await fetch(`${url}/api/v1/stats`, { headers: { Authorization: `Bearer ${ADMIN}` } }),
      ready: await fetch(`${url}/readyz`),
    };
    for (const [name, res] of Object.entries(requests)) {
      expect(res.status, name).toBe(503);
      expect(Number(res.headers.get('retry-after')), name).toBeGreaterThan(0);
      const text = await res.text();
      expect(text, name).not.toMatch(/ECONN|terminated|127\.0\.0\.1|:\d{4,5}\b|stack/i);
      const body = JSON.parse(text) as { detail: string; requestId: string };
      expect(body.detail, name).toMatch(/database/);
      expect(body.requestId, name).toBe(res.headers.get('x-request-id'));
    }

    proxy.restore();
    await expect.poll(async () => (await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await batch()).status).toBe(200);
  });

  it('survives the connection dying between two statements of a transaction', async (ctx) => {
    if (!test.url) ctx.skip();
    const attempt = db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      proxy.cut();
      // The window under test is the idle time between statements, when node-postgres reports
      // the reset as an 'error' event (uncaught, it ends the process): leave time for it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await tx.query('SELECT 1');
    });
    await expect(attempt).rejects.toBeInstanceOf(DatabaseUnavailableError);
    proxy.restore();
    await expect.poll(async () => (await db.query('SELECT 1')).rowCount).toBe(1);
  });
});
