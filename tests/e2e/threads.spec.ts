/**
 * WASM threads in the built (minified) worker: the threaded module starts and answers as one
 * thread does, and under `auto` warm-up measures one thread against the pool once, the page
 * remembers the faster, and the next start uses it without measuring again; a worker whose pool
 * settles on one thread moves to the plain module.
 */
import type { Page } from '@playwright/test';
import { fixturePhotos, packLabels } from '../support/test-packs.js';
import { browserProbabilities, expect, test } from './identify-fixtures.js';

async function ready(page: Page, query: string): Promise<string> {
  await page.goto(`/?${query}`);
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  return page.evaluate(() => window.fishlensDebug!.classifier!.details);
}

interface StoredTuning {
  last?: string;
  packs: Record<string, { threads: number; measuredAt: number; version: number }>;
}

const storedTuning = (page: Page) =>
  page.evaluate(
    () =>
      JSON.parse(localStorage.getItem('fishlens.deviceTuning') ?? 'null') as StoredTuning | null,
  );

test('the minified worker runs WASM with a thread pool and gives what one thread gives', async ({
  page,
  pack,
}) => {
  expect(await page.goto('/').then(() => page.evaluate(() => crossOriginIsolated))).toBe(true);
  const [photo] = fixturePhotos(packLabels(pack.dir));
  expect(await ready(page, `backend=wasm&model=${pack.name}&threads=on`)).toContain(
    "threads on (2 in XNNPACK's pool)",
  );
  const threaded = await browserProbabilities(page, photo!.file);
  expect(await ready(page, `backend=wasm&model=${pack.name}&threads=off`)).toContain('threads off');
  const single = await browserProbabilities(page, photo!.file);
  threaded.forEach((p, i) => expect(Math.abs(p - single[i]!)).toBeLessThan(1e-5));
});

test('auto threads are measured at the first warm-up, remembered for the pack, and used on the next start', async ({
  page,
  pack,
}) => {
  await page.goto('/');
  await page.evaluate(() => localStorage.removeItem('fishlens.deviceTuning'));
  const first = await ready(page, `backend=wasm&model=${pack.name}`);
  expect(first).toMatch(/measured 1 thread [\d.]+ ms, 2 threads [\d.]+ ms/);
  const stored = await storedTuning(page);
  const entry = stored?.packs[pack.name];
  expect(entry?.threads === 1 || entry?.threads === 2).toBe(true);
  expect(stored?.last).toBe(pack.name);

  const second = await ready(page, `backend=wasm&model=${pack.name}`);
  // The same measurement, not a new one; one thread needs no pool at all.
  expect((await storedTuning(page))?.packs[pack.name]?.measuredAt).toBe(entry!.measuredAt);
  expect(second).toContain(
    entry!.threads === 1 ? 'threads off' : "threads on (2 in XNNPACK's pool)",
  );
});

test('a worker started with the pool for the pack used last moves to the plain module when this pack keeps one thread', async ({
  page,
  pack,
}) => {
  const [photo] = fixturePhotos(packLabels(pack.dir));
  await page.goto('/');
  await page.evaluate(() => localStorage.removeItem('fishlens.deviceTuning'));
  await ready(page, `backend=wasm&model=${pack.name}`);
  // This pack keeps one thread; the pack used last kept the pool, so the worker starts with it.
  await page.evaluate((name) => {
    const stored = JSON.parse(localStorage.getItem('fishlens.deviceTuning')!) as StoredTuning;
    const entry = stored.packs[name]!;
    stored.packs[name] = { ...entry, threads: 1 };
    stored.packs['other-pack'] = { ...entry, threads: 2 };
    stored.last = 'other-pack';
    localStorage.setItem('fishlens.deviceTuning', JSON.stringify(stored));
  }, pack.name);
  const details = await ready(page, `backend=wasm&model=${pack.name}`);
  // The tuning is reported only where the worker had a pool to apply it to: it started with one.
  expect(details).toMatch(/threads off; \w+ executor; measured 1 thread/);
  const restarted = await browserProbabilities(page, photo!.file);
  expect(await ready(page, `backend=wasm&model=${pack.name}&threads=off`)).toContain('threads off');
  const single = await browserProbabilities(page, photo!.file);
  restarted.forEach((p, i) => expect(Math.abs(p - single[i]!)).toBeLessThan(1e-5));
});
