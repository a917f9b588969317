/**
 * Works offline, installs to the home screen, and updates model packs safely. Each test
 * runs its own server (the real one) publishing the identification pack; "offline" means the
 * browser context is offline AND the server is stopped, so nothing can come from the network.
 */
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { startFishlens, type FishlensServer } from '../support/fishlens-server.js';
import {
  copyPackAsNewVersion,
  publishToServer,
  tamperStoredFile,
} from '../support/pack-versions.js';
import {
  fixturePhotos,
  identificationPack,
  packLabels,
  type TestPack,
} from '../support/test-packs.js';
import { expect, test as base } from './fixtures.js';
import { chooseFirstPack, expectPackReady } from './pack-choice.js';

const test = base.extend<Record<never, never>, { pack: TestPack }>({
  pack: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => use(await identificationPack()),
    { scope: 'worker', timeout: 600_000 },
  ],
});

/**
 * The Identify screen with the app's own backend choice (WASM in headless Chromium): these tests
 * are about where the pack comes from and which version runs; backend choice and speed are
 * identify.spec.ts's subject.
 */
const IDENTIFY = '/';

/** A server whose registry holds exactly this pack (version 1), or no pack at all. */
async function startPackServer(pack: TestPack | null): Promise<FishlensServer> {
  const demo = mkdtempSync(join(tmpdir(), 'fishlens-demo-'));
  if (pack) cpSync(pack.dir, join(demo, pack.name), { recursive: true });
  return startFishlens({ env: { DEMO_MODELS: pack ? 'always' : 'never', DEMO_MODELS_DIR: demo } });
}

/** The first fixture photo of the pack's first label that has photos. */
function fixturePhoto(pack: TestPack): string {
  const photo = fixturePhotos(packLabels(pack.dir))[0];
  if (!photo) throw new Error(`no fixture photo for ${pack.name}`);
  return photo.file;
}

/** Gives the Identify screen a photo; returns the top-1 label it shows. */
async function identifyPhoto(page: Page, file: string): Promise<string> {
  await page.locator('input[type=file]').setInputFiles(file);
  const prediction = page.getByTestId('prediction');
  await expect(prediction).toBeVisible({ timeout: 60_000 });
  return (await prediction.getAttribute('data-label')) ?? '';
}

const expectModelReady = expectPackReady;

/** Waits until the service worker is active and controls the page (precache complete). */
async function waitForServiceWorker(page: Page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

/** The build id of the controlling service worker (worker/sw.ts answers GET_VERSION). */
function serviceWorkerBuild(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event: MessageEvent<{ build: string }>) =>
          resolve(event.data.build);
        navigator.serviceWorker.controller!.postMessage({ type: 'GET_VERSION' }, [channel.port2]);
      }),
  );
}

/** How many files of `name` version `version` the pack store (IndexedDB) holds. */
function storedFiles(page: Page, name: string, version: number): Promise<number> {
  return page.evaluate(
    ([name, version]) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('fishlens-models');
        open.onerror = () => reject(new Error(String(open.error)));
        open.onsuccess = () => {
          const db = open.result;
          const count = db
            .transaction('files')
            .objectStore('files')
            .index('byVersion')
            .count([name, version]);
          count.onsuccess = () => {
            resolve(count.result);
            db.close();
          };
          count.onerror = () => reject(new Error(String(count.error)));
        };
      }),
    [name, version] as const,
  );
}

/** Cuts the network both ways: the browser context goes offline and the server stops. */
async function goOffline(context: BrowserContext, server: FishlensServer) {
  await server.stop();
  await context.setOffline(true);
}

async function openModels(page: Page, name: string) {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Models' })
    .click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Models');
  return page.locator(`[data-testid="pack-card"][data-model="${name}"]`);
}

async function openIdentify(page: Page) {
  await page.goto(IDENTIFY);
}

async function withServer(
  browser: Browser,
  pack: TestPack | null,
  body: (ctx: { server: FishlensServer; context: BrowserContext; page: Page }) => Promise<void>,
) {
  const server = await startPackServer(pack);
  const context = await browser.newContext({ baseURL: server.url });
  try {
    await body({ server, context, page: await context.newPage() });
  } finally {
    await context.close();
    await server.dispose();
  }
}

test('after one online visit the app opens offline and identifies a photo with the installed pack', async ({
  browser,
  pack,
}) => {
  test.setTimeout(300_000);
  await withServer(browser, pack, async ({ server, context, page }) => {
    const photo = fixturePhoto(pack);
    await page.goto(IDENTIFY);
    await chooseFirstPack(page, pack.name);
    await expectModelReady(page, pack.name, '1');
    const onlineLabel = await identifyPhoto(page, photo);
    await waitForServiceWorker(page);

    const card = await openModels(page, pack.name);
    await expect(card).toHaveAttribute('data-installed-version', '1');
    await expect(card).toContainText('In use');
    await expect(page.getByTestId('storage-info')).toContainText(/used of/);

    await goOffline(context, server);
    await page.goto(IDENTIFY);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Identify a fish');
    await expectModelReady(page, pack.name, '1');
    expect(await identifyPhoto(page, photo)).toBe(onlineLabel);
  });
});

test('a new version published on the server is offered, switched in after it is verified, and works offline; roll back returns to the old one', async ({
  browser,
  pack,
}) => {
  test.setTimeout(300_000);
  await withServer(browser, pack, async ({ server, context, page }) => {
    const photo = fixturePhoto(pack);
    await page.goto(IDENTIFY);
    await chooseFirstPack(page, pack.name);
    await expectModelReady(page, pack.name, '1');
    await waitForServiceWorker(page);

    expect(
      await publishToServer(server, copyPackAsNewVersion(pack.dir, 'second version')),
    ).toContain('version 2');
    const card = await openModels(page, pack.name);
    await page.getByTestId('check-updates').click();
    await expect(card.getByTestId('pack-update')).toContainText(
      /New version 2 available \([\d.]+\sMB\)/,
    );
    const started = Date.now();
    await card.getByRole('button', { name: 'Update to version 2' }).click();
    await expect(card).toHaveAttribute('data-installed-version', '2', { timeout: 90_000 });
    const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    console.log(
      `[measure] v1 → v2 downloaded, verified, warmed up and switched in ${Date.now() - started} ms; ` +
        `storage used with both versions: ${(usage / 1e6).toFixed(1)} MB`,
    );
    await expect(card).toContainText('Version 1 is kept for going back.');
    await expect(card.getByTestId('pack-error')).toHaveCount(0);

    await openIdentify(page);
    await expectModelReady(page, pack.name, '2');
    const onlineLabel = await identifyPhoto(page, photo);

    await goOffline(context, server);
    await page.reload();
    await expectModelReady(page, pack.name, '2');
    expect(await identifyPhoto(page, photo)).toBe(onlineLabel);

    // Roll back works offline too: the previous version was kept on the device.
    await (
      await openModels(page, pack.name)
    )
      .getByRole('button', { name: 'Go back to version 1' })
      .click();
    await expect(card).toHaveAttribute('data-installed-version', '1');
    await openIdentify(page);
    await expectModelReady(page, pack.name, '1');
  });
});

test('an update whose shard was altered on the server is refused with a clear message, a cancelled one leaves nothing, and the old version keeps working', async ({
  browser,
  pack,
}) => {
  test.setTimeout(300_000);
  await withServer(browser, pack, async ({ server, page }) => {
    const photo = fixturePhoto(pack);
    await page.goto(IDENTIFY);
    await chooseFirstPack(page, pack.name);
    await expectModelReady(page, pack.name, '1');

    const next = copyPackAsNewVersion(pack.dir, 'tampered later');
    await publishToServer(server, next);
    const shard = readdirSync(next).find((f) => f.endsWith('.bin'))!;
    tamperStoredFile(server, pack.name, next, shard);

    const card = await openModels(page, pack.name);
    await page.getByTestId('check-updates').click();
    await card.getByRole('button', { name: 'Update to version 2' }).click();
    await expect(card.getByTestId('pack-error')).toContainText(
      `The file ${shard} does not match its checksum`,
    );
    await expect(card).toHaveAttribute('data-installed-version', '1');
    await expect(card).toContainText('In use');
    // Nothing of the refused version stays on the device.
    expect(await storedFiles(page, pack.name, 2)).toBe(0);

    // A download cancelled half-way also leaves the pack in use alone and nothing behind.
    await publishToServer(server, copyPackAsNewVersion(pack.dir, 'third version'));
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/versions/3/files/**', async (route) => {
      if (!route.request().url().endsWith('.bin')) return route.continue();
      await held;
      await route.abort().catch(() => {});
    });
    await page.getByTestId('check-updates').click();
    await card.getByRole('button', { name: 'Update to version 3' }).click();
    const progress = card.getByTestId('pack-progress');
    await expect(progress).toContainText('Downloading version 3');
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await expect(progress).toHaveCount(0);
    release();
    await expect(card.getByTestId('pack-error')).toHaveCount(0);
    await expect(card).toHaveAttribute('data-installed-version', '1');
    expect(await storedFiles(page, pack.name, 3)).toBe(0);
    await page.unrouteAll({ behavior: 'ignoreErrors' });

    await openIdentify(page);
    await expectModelReady(page, pack.name, '1');
    expect(await identifyPhoto(page, photo)).toBeTruthy();
  });
});

test('a first start offline with no pack on the device says plainly that a pack must be downloaded once', async ({
  browser,
}) => {
  await withServer(browser, null, async ({ server, context, page }) => {
    await page.goto('/');
    await waitForServiceWorker(page);
    await expect(page.getByTestId('pack-choice')).toContainText('No packs are available yet');
    await goOffline(context, server);
    await page.reload();
    const choice = page.getByTestId('pack-choice');
    await expect(choice.getByTestId('pack-choice-offline')).toContainText(
      'Connect to the internet once to download one',
    );
    await expect(choice.getByTestId('pack-option')).toHaveCount(0);
  });
});

/** A pass-through proxy to `target` that can serve a changed sw.js (a new app version). */
async function startSwProxy(
  target: string,
): Promise<{ url: string; changeServiceWorker(): void; close(): Promise<void> }> {
  let changed = false;
  let replaced = 0;
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const headers = { ...req.headers, host: upstream.host, 'accept-encoding': 'identity' };
    // The changed sw.js must not be answered "304 Not Modified" from the original's validators.
    if (changed && req.url === '/sw.js') {
      delete headers['if-none-match'];
      delete headers['if-modified-since'];
    }
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers,
      },
      (up) => {
        if (!(changed && req.url === '/sw.js' && up.statusCode === 200)) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        up.on('data', (chunk: Buffer) => chunks.push(chunk));
        up.on('end', () => {
          // A new build: index.html has a new revision in the precache manifest.
          const body = Buffer.concat(chunks)
            .toString('utf8')
            .replace(/"revision":"[0-9a-f]+","url":"index.html"/, () => {
              replaced += 1;
              return '"revision":"0000000000000000000000000000beef","url":"index.html"';
            });
          const headers = { ...up.headers };
          delete headers['content-length'];
          delete headers.etag;
          res.writeHead(200, headers);
          res.end(body);
        });
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://localhost:${port}`,
    changeServiceWorker: () => {
      changed = true;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (changed && replaced === 0)
        throw new Error('the proxy never found the precache entry of index.html in sw.js');
    },
  };
}

test('a changed service worker shows the update prompt, never reloads on its own, and accepting reloads into the new version', async ({
  browser,
  fishlens,
}) => {
  const proxy = await startSwProxy(fishlens.url);
  const context = await browser.newContext({ baseURL: proxy.url });
  try {
    const page = await context.newPage();
    await page.goto('/status');
    await waitForServiceWorker(page);
    const before = await serviceWorkerBuild(page);
    await expect(page.getByTestId('update-prompt')).toHaveCount(0);

    proxy.changeServiceWorker();
    await page.evaluate(() => {
      (window as { sameDocument?: boolean }).sameDocument = true;
    });
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    const prompt = page.getByTestId('update-prompt');
    await expect(prompt).toBeVisible();
    await expect(prompt).toContainText('Update available');
    // Waiting, not forced: still the same document and the old worker in control.
    expect(await page.evaluate(() => (window as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );
    expect(await serviceWorkerBuild(page)).toBe(before);

    await Promise.all([
      page.waitForEvent('load'),
      prompt.getByRole('button', { name: 'Reload' }).click(),
    ]);
    expect(
      await page.evaluate(() => (window as { sameDocument?: boolean }).sameDocument),
    ).toBeUndefined();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const after = await serviceWorkerBuild(page);
    expect(after).not.toBe(before);
    await expect(page.getByTestId('update-prompt')).toHaveCount(0);
  } finally {
    await context.close();
    await proxy.close();
  }
});
