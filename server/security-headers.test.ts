/**
 * Every response carries the security headers, and each kind its own Content-Security-Policy:
 * pages run only the app's own scripts and cannot be framed; scripts that become workers may
 * start TF.js's WASM threads; everything else may run nothing. Browsers' violation reports are
 * taken at /api/v1/csp-reports, logged and counted.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger } from '../tests/support/capturing-logger.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/test-database.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { ensureInstallation } from './installation.js';
import { createMetrics } from './metrics.js';
import { violationsOf } from './routes/csp-reports.js';

/** The directives of a CSP header as name → sources. */
function parseCsp(header: string | null): Map<string, string[]> {
  return new Map(
    (header ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('security headers', () => {
  let test: TestDatabase;
  let app: ReturnType<typeof createApp>;
  const metrics = createMetrics({ processMetrics: false });
  let logged: () => string;
  beforeAll(async () => {
    test = await createTestDatabase();
    const clientDir = mkdtempSync(join(tmpdir(), 'fishlens-client-'));
    mkdirSync(join(clientDir, 'assets'));
    writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>Fishlens</title>');
    writeFileSync(join(clientDir, 'assets', 'classifier.worker-abc.js'), 'self.onmessage = null');
    writeFileSync(join(clientDir, 'sw.js'), 'self.x = 1');
    const { log, text } = capturingLogger('warn');
    logged = text;
    app = createApp({
      config: loadConfig({ ADMIN_TOKEN: 'admin-token-0123456789abcdef' }),
      db: test.db,
      log,
      installation: await ensureInstallation(test.db),
      clientDir,
      metrics,
    });
  });
  afterAll(() => test.drop());

  const page = (path: string) => app.request(path, { headers: { Accept: 'text/html' } });

  it.each(['/', '/history', '/models', '/dashboard', '/index.html'])(
    '%s: an HTML page under a policy with no inline scripts, no framing, camera for this origin only',
    async (path) => {
      const res = await page(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = parseCsp(res.headers.get('content-security-policy'));
      expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('report-uri')).toEqual(['/api/v1/csp-reports']);
      for (const sources of csp.values()) expect(sources).not.toContain("'unsafe-inline'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      const permissions = res.headers.get('permissions-policy') ?? '';
      expect(permissions).toMatch(/(^|, )camera=\(self\)(,|$)/);
      expect(permissions).toMatch(/(^|, )microphone=\(\)(,|$)/);
      expect(permissions).toMatch(/(^|, )geolocation=\(\)(,|$)/);
    },
  );

  it('lets scripts that run as workers start WASM threads from blobs, and nothing else more', async () => {
    for (const path of ['/assets/classifier.worker-abc.js', '/sw.js']) {
      const res = await app.request(path);
      expect(res.headers.get('content-type')).toMatch(/javascript/);
      const csp = parseCsp(res.headers.get('content-security-policy'));
      expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'", 'blob:']);
      expect(csp.get('worker-src')).toEqual(["'self'", 'blob:']);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    }
  });

  it('lets JSON and problem responses load nothing, and sends no policy with a 304', async () => {
    for (const res of [await app.request('/api/v1/info'), await app.request('/api/v1/nothing')]) {
      expect(res.headers.get('content-security-policy')).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const first = await page('/');
    const again = await app.request('/', {
      headers: { Accept: 'text/html', 'If-None-Match': first.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('content-security-policy')).toBeNull();
  });

  it('takes violation reports in both formats, logs them and counts them by directive', async () => {
    const legacy = await app.request('/api/v1/csp-reports', {
      method: 'POST',
      headers: { 'Content-Type': 'application/csp-report' },
      body: JSON.stringify({
        'csp-report': {
          'document-uri': 'http://localhost/',
          'violated-directive': 'script-src-elem',
          'effective-directive': 'script-src-elem',
          'blocked-uri': 'inline',
        },
      }),
    });
    expect(legacy.status).toBe(204);
    const modern = await app.request('/api/v1/csp-reports', {
      method: 'POST',
      headers: { 'Content-Type': 'application/reports+json' },
      body: JSON.stringify([
        {
          type: 'csp-violation',
          body: {
            documentURL: 'http://localhost/assets/classifier.worker-abc.js',
            effectiveDirective: 'worker-src',
            blockedURL: 'blob',
          },
        },
        { type: 'deprecation', body: {} },
      ]),
    });
    expect(modern.status).toBe(204);
    const text = await metrics.render();
    expect(text).toMatch(/^fishlens_csp_violations_total\{directive="script-src-elem"\} 1$/m);
    expect(text).toMatch(/^fishlens_csp_violations_total\{directive="worker-src"\} 1$/m);
    expect(logged()).toMatch(/"directive":"worker-src".*CSP violation/);
    const junk = await app.request('/api/v1/csp-reports', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'x',
    });
    expect(junk.status).toBe(415);
  });

  it('reads only known directives and bounded text from a report', () => {
    const [v] = violationsOf({
      'csp-report': { 'violated-directive': 'made-up x', 'blocked-uri': 'y'.repeat(1000) },
    });
    expect(v!.directive).toBe('made-up');
    expect(v!.blocked).toHaveLength(300);
    expect(violationsOf(null)).toEqual([]);
    expect(violationsOf([{ type: 'csp-violation' }])).toEqual([]);
  });
});
