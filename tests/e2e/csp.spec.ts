/**
 * The app runs under its Content-Security-Policy (server/security-headers.ts). Using it as a
 * person does — the pack installs and warms up, a photo is identified in the classifier worker
 * (TF.js WASM with its threads), the service worker takes over, every screen opens, the
 * dashboard draws its charts — violates nothing. Any violation fails the test, wherever it
 * happens: pages raise `securitypolicyviolation` events, and browsers post every violation, also
 * those of workers and the service worker, to /api/v1/csp-reports, which the server logs. A
 * deliberate violation at the end shows that this reporting reaches the server.
 */
import { expect, test } from '@playwright/test';
import { startFishlens, type FishlensServer } from '../support/fishlens-server.js';
import { fixturePhotos, identificationPack, packLabels } from '../support/test-packs.js';
import { chooseFirstPack } from './pack-choice.js';

const ADMIN_TOKEN = 'csp-e2e-admin-token-0123456789';

interface Violation {
  directive: string;
  blocked: string;
  document: string;
  /** Where in which script (pages only). */
  source?: string;
}

/** The violations the server logged from browser reports, oldest first. */
function reported(server: FishlensServer): Violation[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.includes('"CSP violation"'))
    .map((line) => (JSON.parse(line) as { csp: Violation }).csp);
}

let server: FishlensServer;

test.beforeAll(async () => {
  test.setTimeout(600_000);
  const pack = await identificationPack();
  server = await startFishlens({
    timeoutMs: 240_000,
    env: { ADMIN_TOKEN, DEMO_MODELS: 'always', DEMO_MODELS_DIR: pack.packsDir },
  });
});

test.afterAll(() => server?.dispose());

test('using the app, its workers and the dashboard violates no Content-Security-Policy', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const pack = await identificationPack();
  const context = await browser.newContext({ baseURL: server.url });
  const seen: Violation[] = [];
  await context.exposeBinding('fishlensCspViolation', (_source, violation: Violation) => {
    seen.push(violation);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      void (
        window as unknown as { fishlensCspViolation(v: unknown): Promise<void> }
      ).fishlensCspViolation({
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        document: event.documentURI,
        source: `${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`,
      });
    });
  });
  const page = await context.newPage();
  // Chromium says so in the console when it cannot parse a security header, or a part of it
  // (an unknown Permissions-Policy feature is ignored, with a warning, on every page load).
  const headerComplaints: string[] = [];
  page.on('console', (message) => {
    if (/Error with [\w-]+ header|Unrecognized feature/i.test(message.text())) {
      headerComplaints.push(message.text());
    }
  });

  await page.goto('/');
  await chooseFirstPack(page, pack.name);
  const status = page.getByTestId('model-status');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

  const [photo] = fixturePhotos(packLabels(pack.dir));
  await page.locator('input[type=file]').setInputFiles(photo!.file);
  await expect(page.getByTestId('prediction')).toBeVisible({ timeout: 120_000 });

  // Phones with 4+ cores run TF.js WASM with threads, which start from Blobs; this machine's two
  // cores would not, so ask for them.
  await page.goto('/?threads=on');
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  await page.locator('input[type=file]').setInputFiles(photo!.file);
  await expect(page.getByTestId('prediction')).toBeVisible({ timeout: 120_000 });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const screen of ['History', 'Models', 'Status', 'Identify']) {
    await nav.getByRole('link', { name: screen }).click();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  }
  // A reload is served by the service worker from its cache, under the cached headers.
  await page.reload();
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });

  await page.goto('/dashboard');
  await page.getByTestId('admin-token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  await expect(page.getByTestId('chart-species')).toBeVisible();

  expect(seen, 'securitypolicyviolation events in the pages').toEqual([]);
  expect(headerComplaints, 'security headers Chromium could not parse').toEqual([]);

  // The sentinel: an inline script, which the policy refuses and the browser reports.
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.fishlensInlineRan = true';
    document.body.append(script);
  });
  await expect
    .poll(() => reported(server).some((v) => v.blocked === 'inline'), { timeout: 30_000 })
    .toBe(true);
  expect(await page.evaluate(() => 'fishlensInlineRan' in window)).toBe(false);
  expect(seen.map((v) => v.directive)).toEqual(['script-src-elem']);
  expect(reported(server).filter((v) => v.blocked !== 'inline')).toEqual([]);
  await context.close();
});
