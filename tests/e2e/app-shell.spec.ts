import { launchPersistentChromium } from '../support/chromium-context.js';
import { startFishlens } from '../support/fishlens-server.js';
import { englishWords } from './english-words.js';
import { expect, test } from './fixtures.js';

test('the home page is HTML that links a complete web app manifest', async ({ page, request }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBeTruthy();
  const res = await request.get(href!);
  expect(res.ok()).toBe(true);
  const manifest = (await res.json()) as {
    name: string;
    short_name: string;
    description: string;
    display: string;
    start_url: string;
    scope: string;
    theme_color: string;
    background_color: string;
    icons: { src: string; sizes: string; purpose?: string }[];
  };
  expect(manifest).toMatchObject({ display: 'standalone', start_url: '/', scope: '/' });
  for (const field of [
    'name',
    'short_name',
    'description',
    'theme_color',
    'background_color',
  ] as const) {
    expect(manifest[field], field).toBeTruthy();
  }
  for (const size of ['192x192', '512x512']) {
    const maskable = manifest.icons.find((i) => i.sizes === size && i.purpose === 'maskable');
    expect(maskable, `maskable ${size} icon`).toBeTruthy();
    const icon = await request.get(maskable!.src);
    expect(icon.headers()['content-type']).toBe('image/png');
  }
});

test('the service worker registers and Chromium reports no installability errors', async ({
  fishlens,
}) => {
  // Installability is never reported in an incognito context, which is Playwright's default.
  const context = await launchPersistentChromium();
  try {
    const page = await context.newPage();
    await page.goto(fishlens.url);
    const scope = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return registration.scope;
    });
    expect(new URL(scope).pathname).toBe('/');
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    expect(installabilityErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('every screen is reachable from the navigation and deep links load directly', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Identify a fish');
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const [link, heading, path] of [
    ['History', 'History', '/history'],
    ['Models', 'Models', '/models'],
    ['Status', 'Status', '/status'],
    ['Identify', 'Identify a fish', '/'],
  ] as const) {
    await nav.getByRole('link', { name: link }).click();
    await expect(page).toHaveURL(path);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
  }
  await page.goto('/models');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Models');
});

test('the shell fits a 320 px wide phone without sideways scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  for (const path of ['/', '/history', '/models', '/status']) {
    await page.goto(path);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, path).toBeLessThanOrEqual(0);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeInViewport();
  }
});

test('on 320 and 360 px phones every tab name fits inside its tab, in English and Russian', async ({
  page,
}) => {
  for (const [width, locale, path] of [
    [320, 'en', '/'],
    [320, 'ru', '/'],
    [320, 'ru', '/status'],
    [360, 'ru', '/'],
  ] as const) {
    await page.setViewportSize({ width, height: 640 });
    await page.goto(path);
    await page.getByLabel(/Language|Язык/).selectOption(locale);
    await expect(page.locator('html')).toHaveAttribute('lang', locale);
    const labels = await page.locator('.tab').evaluateAll((tabs) =>
      tabs.map((tab) => {
        const label = tab.lastElementChild!.getBoundingClientRect();
        const box = tab.getBoundingClientRect();
        return {
          text: tab.textContent,
          inside: label.left >= box.left && label.right <= box.right,
          oneLine: label.height < 2 * parseFloat(getComputedStyle(tab).fontSize),
          tabWidth: box.width,
          left: label.left,
          right: label.right,
        };
      }),
    );
    const where = (text: string | null) => `${width} px ${locale} ${path} ${text}`;
    for (const label of labels) {
      expect(label.inside, where(label.text)).toBe(true);
      expect(label.oneLine, where(label.text)).toBe(true);
      // Four equal tabs: a long label must not widen its own tab at its neighbours' expense.
      expect(label.tabWidth, where(label.text)).toBeCloseTo(width / 4, 0);
    }
    // Words of neighbouring tabs stay clearly apart.
    for (let i = 1; i < labels.length; i++) {
      expect(labels[i]!.left - labels[i - 1]!.right, where(labels[i]!.text)).toBeGreaterThanOrEqual(
        8,
      );
    }
  }
});

test('the interface switches to Russian and remembers the choice', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Language').selectOption('ru');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Определить рыбу');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Определить рыбу');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
});

test('a Russian screen has no English words, shown or for screen readers', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Language').selectOption('ru');
  for (const path of ['/', '/history', '/models', '/status']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(await englishWords(page), path).toEqual([]);
  }
});

test('the embedded database keeps what was stored across a restart', async ({ request }) => {
  const server = await startFishlens({ embedded: true });
  try {
    const before = (await (await request.get(`${server.url}/api/v1/info`)).json()) as {
      installationId: string;
      database: string;
    };
    expect(before.database).toBe('pglite');
    await server.stop();
    await server.restart();
    const after = (await (await request.get(`${server.url}/api/v1/info`)).json()) as {
      installationId: string;
    };
    expect(after.installationId).toBe(before.installationId);
    const ready = await request.get(`${server.url}/readyz`);
    expect(ready.status()).toBe(200);
  } finally {
    await server.dispose();
  }
});
