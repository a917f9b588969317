/**
 * Per-client limits over real sockets and real PostgreSQL: X-Forwarded-For counts only from
 * proxies TRUST_PROXY names, the limits hold across replicas (two apps on one database), and
 * unknown device tokens are throttled per address without a database look-up each.
 */
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/test-database.js';
import { createApp } from '../app.js';
import { ConfigError, loadConfig } from '../config.js';
import { ensureInstallation, type Installation } from '../installation.js';
import { Hono } from 'hono';
import { createPredictionStore } from '../ingest/store.js';
import { createLogger } from '../log.js';
import { problemErrorHandler } from '../problem.js';
import { mountIngestRoutes } from './ingest.js';

const log = createLogger('silent');

describe('per-client limits', () => {
  let test: TestDatabase;
  let installation: Installation;
  const servers: ServerType[] = [];
  beforeAll(async () => {
    test = await createTestDatabase();
    installation = await ensureInstallation(test.db);
  });
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
    await test.db.query('TRUNCATE rate_limit_buckets');
  });
  afterAll(() => test.drop());

  /** One replica of the app on a loopback socket; the test's requests come from 127.0.0.1. */
  async function listen(app: Hono): Promise<string> {
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    servers.push(server);
    const address = server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }
  const replica = (env: Record<string, string>) =>
    listen(createApp({ config: loadConfig(env), db: test.db, log, installation }));

  const register = (url: string, forwardedFor?: string) =>
    fetch(`${url}/api/v1/devices`, {
      method: 'POST',
      headers: forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {},
    });
  const statuses = async (requests: Promise<Response>[]) =>
    (await Promise.all(requests)).map((r) => r.status);

  it('ignores X-Forwarded-For by default: forged addresses share the one real client’s limit', async () => {
    const url = await replica({ DEVICE_REGISTRATIONS_PER_MINUTE: '30' });
    const answers = [];
    for (let i = 0; i < 40; i += 1) answers.push((await register(url, `198.51.100.${i}`)).status);
    expect(answers.filter((s) => s === 201)).toHaveLength(30);
    expect(answers.filter((s) => s === 429)).toHaveLength(10);
  });

  it('with TRUST_PROXY=1, the address the proxy appended is the client, whatever came before it', async () => {
    const url = await replica({ DEVICE_REGISTRATIONS_PER_MINUTE: '3', TRUST_PROXY: '1' });
    // Each client may register 3 devices; a client forging a left-hand entry is still itself.
    const a = await statuses(
      ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'].map((forged) =>
        register(url, `${forged}, 203.0.113.7`),
      ),
    );
    expect(a.sort()).toEqual([201, 201, 201, 429]);
    expect((await register(url, '203.0.113.8')).status).toBe(201);
  });

  it('with TRUST_PROXY as CIDR ranges, a peer outside them is the client and its header is ignored', async () => {
    const url = await replica({ DEVICE_REGISTRATIONS_PER_MINUTE: '2', TRUST_PROXY: '10.0.0.0/8' });
    const answers = await statuses(
      ['198.51.100.1', '198.51.100.2', '198.51.100.3'].map((f) => register(url, f)),
    );
    expect(answers.sort()).toEqual([201, 201, 429]);
    const trusted = await replica({
      DEVICE_REGISTRATIONS_PER_MINUTE: '2',
      TRUST_PROXY: 'loopback, 10.0.0.0/8',
    });
    expect(
      await statuses(['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((f) => register(trusted, f))),
    ).toEqual([201, 201, 201]);
  });

  it('holds one limit across replicas: two apps on one database share the client’s budget', async () => {
    const env = { DEVICE_REGISTRATIONS_PER_MINUTE: '4' };
    const [one, two] = [await replica(env), await replica(env)];
    const answers = [];
    for (let i = 0; i < 8; i += 1) answers.push((await register(i % 2 ? one : two)).status);
    expect(answers.filter((s) => s === 201)).toHaveLength(4);
  });

  it('throttles unknown device tokens per address, then answers 429 without looking them up', async () => {
    let lookups = 0;
    const real = createPredictionStore(test.db);
    const app = new Hono();
    app.onError(problemErrorHandler(log));
    const api = new Hono();
    mountIngestRoutes(api, {
      db: test.db,
      store: {
        ...real,
        deviceForToken: (token) => {
          lookups += 1;
          return real.deviceForToken(token);
        },
      },
      config: { ...loadConfig({}), UNKNOWN_TOKENS_PER_MINUTE: 5 },
    });
    app.route('/api/v1', api);
    const url = await listen(app);
    const attempt = (i: number) =>
      fetch(`${url}/api/v1/predictions/batch`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${String(i).padStart(43, 'A')}`,
        },
        body: '{"predictions":[{}]}',
      });
    const answers: number[] = [];
    for (let i = 0; i < 20; i += 1) answers.push((await attempt(i)).status);
    expect(answers.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(answers.slice(5)).toEqual(new Array(15).fill(429));
    const refused = await attempt(99);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Five misses and the one that used up the budget were looked up; the rest cost nothing.
    expect(lookups).toBe(6);
  });

  it('refuses a TRUST_PROXY that would trust everyone or is not an address', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: '1' })).not.toThrow();
  });
});
