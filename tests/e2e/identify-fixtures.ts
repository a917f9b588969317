/** Shared by the identification specs: a server publishing a pack, and helpers that drive the Identify screen. */
import { readFileSync, rmSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { startFishlens, type FishlensServer } from '../support/fishlens-server.js';
import {
  identificationPack,
  packsWithUnsureVariant,
  type TestPack,
} from '../support/test-packs.js';
import type {} from '../../src/dev/debug.js'; // window.fishlensDebug
import { expect, test as base } from './fixtures.js';

export { expect };

/** One server per file that publishes the identification pack (demo river-fish, or the tiny fixture pack). */
export const test = base.extend<
  Record<never, never>,
  { pack: TestPack; packServer: FishlensServer }
>({
  pack: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => use(await identificationPack()),
    { scope: 'worker', timeout: 600_000 },
  ],
  packServer: [
    async ({ pack }, use) => {
      const { packsDir } = packsWithUnsureVariant(pack);
      // A generous start timeout: this machine's two cores are shared with other builds and tests.
      const server = await startFishlens({
        timeoutMs: 240_000,
        env: { DEMO_MODELS: 'always', DEMO_MODELS_DIR: packsDir },
      });
      try {
        await use(server);
      } finally {
        await server.dispose();
        rmSync(packsDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 300_000 },
  ],
  baseURL: async ({ packServer }, use) => use(packServer.url),
});

export type Outcome =
  | { kind: 'prediction'; label: string; probability: number; notSure: boolean }
  | { kind: 'error'; code: string; message: string };

/** Gives the Identify screen a photo and waits for its new result or error. */
export async function identify(
  page: Page,
  photo: string | { name: string; mimeType: string; buffer: Buffer },
): Promise<Outcome> {
  const selector = '[data-testid="prediction"], [data-testid="identify-error"]';
  const before = await page.evaluate(
    (s) => Number(document.querySelector<HTMLElement>(s)?.dataset.seq ?? 0),
    selector,
  );
  await page.setInputFiles('[data-testid="photo-input"]', photo);
  await page.waitForFunction(
    ([s, b]) => Number(document.querySelector<HTMLElement>(s as string)?.dataset.seq ?? 0) > b,
    [selector, before] as const,
  );
  const result = page.locator(selector);
  if ((await result.getAttribute('data-testid')) === 'identify-error') {
    return {
      kind: 'error',
      code: (await result.getAttribute('data-code')) ?? '',
      message: await result.innerText(),
    };
  }
  return {
    kind: 'prediction',
    label: (await result.getAttribute('data-label')) ?? '',
    probability: Number(await result.getAttribute('data-probability')),
    notSure: (await result.getAttribute('data-not-sure')) === 'true',
  };
}

export async function openReady(page: Page, backend: string, pack: TestPack, model = pack.name) {
  await page.goto(`/?backend=${backend}&model=${model}`);
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await expect(status).toHaveAttribute('data-model', model);
  await expect(status).toHaveAttribute('data-backend', backend);
  expect(Number(await status.getAttribute('data-version'))).toBeGreaterThanOrEqual(1);
}

/** All probabilities of a photo, through the loaded classifier (the card shows only the top ones). */
export async function browserProbabilities(page: Page, file: string): Promise<number[]> {
  const bytes = [...readFileSync(file)];
  return page.evaluate(async (data) => {
    const result = await window.fishlensDebug!.classifier!.classify(
      new Blob([new Uint8Array(data)], { type: 'image/png' }),
    );
    return result.probabilities;
  }, bytes);
}
