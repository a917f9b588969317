import { mkdtempSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../tests/support/test-database.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import type { Database } from './db/index.js';
import { ensureInstallation, type Installation } from './installation.js';
import { createLogger } from './log.js';

const log = createLogger('silent');
const SCRIPT = `console.log(${JSON.stringify('fish '.repeat(400))})`;

function fakeClientDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fishlens-client-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><link rel="manifest" href="/manifest.webmanifest">',
  );
  const script = join(dir, 'assets', 'index-abc123.js');
  writeFileSync(script, SCRIPT);
  writeFileSync(`${script}.br`, brotliCompressSync(SCRIPT));
  writeFileSync(`${script}.gz`, gzipSync(SCRIPT));
  writeFileSync(join(dir, 'sw.js'), 'self.x = 1');
  utimesSync(join(dir, 'sw.js'), new Date('2026-01-01'), new Date('2026-01-01'));
  return dir;
}

describe('the HTTP app', () => {
  let test: TestDatabase;
  let app: ReturnType<typeof createApp>;
  let installation: Installation;
  beforeAll(async () => {
    test = await createTestDatabase();
    installation = await ensureInstallation(test.db);
    app = createApp({
      config: loadConfig({}),
      db: test.db,
      log,
      installation,
      clientDir: fakeClientDir(),
    });
  });
  afterAll(() => test.drop());

  it('answers /healthz with 200 JSON', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when the database answers', async () => {
    const res = await app.request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('answers /readyz with 503, what to check and a request id, but no internals, when the database is down', async () => {
    const down: Database = {
      ...test.db,
      query: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:55432')),
    };
    const downApp = createApp({ config: loadConfig({}), db: down, log, installation });
    const res = await downApp.request('/readyz');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as { detail: string; requestId: string };
    expect(body.detail).toMatch(/database does not answer.*DATABASE_URL/);
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|55432|127\.0\.0\.1/);
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('describes itself at /api/v1/info with the installation kept in the database', async () => {
    const res = await app.request('/api/v1/info');
    expect(res.status).toBe(200);
    const info = (await res.json()) as Record<string, unknown>;
    expect(info).toMatchObject({ name: 'fishlens', installationId: installation.id });
    expect(info.database).toBe(test.db.kind);
    // A second start on the same database keeps the first identity.
    expect(await ensureInstallation(test.db)).toEqual(installation);
  });

  it('serves hashed assets as immutable and the app shell and service worker as revalidated', async () => {
    const asset = await app.request('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const index = await app.request('/');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('rel="manifest"');
    const sw = await app.request('/sw.js');
    expect(sw.headers.get('cache-control')).toBe('no-cache');
  });

  it("sends the build's brotli or gzip copy of a file to a browser that accepts it, and the file itself otherwise", async () => {
    const asset = '/assets/index-abc123.js';
    const brotli = await app.request(asset, { headers: { 'Accept-Encoding': 'gzip, br' } });
    expect(brotli.headers.get('content-encoding')).toBe('br');
    expect(brotli.headers.get('vary')).toContain('Accept-Encoding');
    expect(brotli.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(brotliDecompressSync(Buffer.from(await brotli.arrayBuffer())).toString()).toBe(SCRIPT);
    const gzip = await app.request(asset, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString()).toBe(SCRIPT);
    const plain = await app.request(asset);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(SCRIPT);
    // Three representations, three tags: a cache never answers one encoding with another.
    const tags = new Set([brotli, gzip, plain].map((res) => res.headers.get('etag')));
    expect(tags.size).toBe(3);
    const again = await app.request(asset, {
      headers: { 'Accept-Encoding': 'br', 'If-None-Match': brotli.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it('answers a revalidation of an unchanged file with 304', async () => {
    const first = await app.request('/sw.js');
    const tag = first.headers.get('etag');
    expect(tag).toBeTruthy();
    const again = await app.request('/sw.js', { headers: { 'If-None-Match': tag! } });
    expect(again.status).toBe(304);
  });

  it('gives client-side routes the app shell but keeps missing files and API paths 404', async () => {
    const page = await app.request('/history', { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<!doctype html>');
    const missing = await app.request('/assets/gone-123.js', { headers: { Accept: 'text/html' } });
    expect(missing.status).toBe(404);
    const malformed = await app.request('/hist%E0%A4%A', { headers: { Accept: 'text/html' } });
    expect(malformed.status).toBe(200);
    expect(malformed.headers.get('cache-control')).toBe('no-cache');
    const api = await app.request('/api/v1/nothing', { headers: { Accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toBe('application/problem+json');
  });
});
