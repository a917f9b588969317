/**
 * Models on a 360×640 phone, in English and Russian: cards in words (localised title and
 * description, sizes the language's way, validation coverage and precision in words, no slugs),
 * a question before the pack in use is deleted and a state every screen agrees with afterwards,
 * one way forward after a roll back, honest offline words, and "Keep packs" showing its answer.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { startFishlens, type FishlensServer } from '../support/fishlens-server.js';
import { copyPackWithMetadata, publishToServer } from '../support/pack-versions.js';
import { ROOT } from '../support/test-packs.js';
import { expectAccessible } from './axe.js';
import { expect, test as base } from './fixtures.js';
import { inLocale } from './log-seed.js';
import { chooseFirstPack, packOption } from './pack-choice.js';
import { qualityLine, sureOf } from './pack-quality.js';

const RIVER_DIR = join(ROOT, 'models/demo/river-fish');
const REEF_DIR = join(ROOT, 'models/demo/reef-fish');
/** reef-fish's validation numbers: reefBare() keeps the demo pack's. */
const REEF_SURE = sureOf(REEF_DIR);

const DISPLAY = {
  title: { en: 'River fish', ru: 'Речные рыбы' },
  description: {
    en: 'Seven fish of Central European rivers.',
    ru: 'Семь рыб рек Центральной Европы.',
  },
};

/** river-fish with a localised title and validation numbers in its metadata, as a trained pack has. */
function riverWithWords(description = DISPLAY.description): string {
  return copyPackWithMetadata(RIVER_DIR, (metadata) => {
    const metrics = metadata.metrics as { validation: Record<string, unknown> };
    return {
      ...metadata,
      display: { ...DISPLAY, description },
      metrics: {
        ...metrics,
        validation: {
          ...metrics.validation,
          sure: { threshold: 0.5, coverage: 0.62, accuracy: 0.91 },
        },
      },
    };
  });
}

/** reef-fish as a bare export has it: no localised title or description. */
function reefBare(): string {
  return copyPackWithMetadata(REEF_DIR, ({ display: _display, ...metadata }) => metadata);
}

/** A server whose registry has river-fish (with words) and reef-fish as exported bare. */
async function startModelsServer(): Promise<{ server: FishlensServer; dispose(): Promise<void> }> {
  const demo = mkdtempSync(join(tmpdir(), 'fishlens-models-'));
  cpSync(riverWithWords(), join(demo, 'river-fish'), { recursive: true });
  cpSync(reefBare(), join(demo, 'reef-fish'), { recursive: true });
  const server = await startFishlens({
    timeoutMs: 240_000,
    env: { DEMO_MODELS: 'always', DEMO_MODELS_DIR: demo },
  });
  return {
    server,
    async dispose() {
      await server.dispose();
      rmSync(demo, { recursive: true, force: true });
    },
  };
}

const test = base.extend<Record<never, never>, { modelsServer: FishlensServer }>({
  modelsServer: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const started = await startModelsServer();
      try {
        await use(started.server);
      } finally {
        await started.dispose();
      }
    },
    { scope: 'worker', timeout: 300_000 },
  ],
  baseURL: async ({ modelsServer }, use) => use(modelsServer.url),
});
test.use({ viewport: { width: 360, height: 640 } });

const WORDS = {
  en: {
    models: 'Models',
    identify: 'Identify',
    title: DISPLAY.title.en,
    description: DISPLAY.description.en,
    quality:
      'Tested on fish it never saw in training: names a species for about 6 of 10 photos; right 9 times in 10 when it does.',
    size: /Size: \d+(\.\d)?\sMB/,
    examples: /7 species \(e\.g\. .+, .+, .+\)/,
    onDevice: (v: number) => `On this device: version ${v}.`,
    notDownloaded: 'Not downloaded.',
    inUse: 'In use',
    delete: 'Delete',
    keep: 'Keep',
    deleteTitle: 'Delete “River fish”?',
    lastInUse: 'It is the pack in use and the only one on this device',
    download: 'Download',
    upToDate: /All packs are up to date/,
    offline: 'Offline: new versions cannot be checked now. Packs on this device keep working.',
    needsNetwork: 'Downloading needs a connection.',
    keepPacks: 'Keep packs',
    persisted: /Done: the browser keeps the packs|The browser did not agree to keep the packs/,
  },
  ru: {
    models: 'Модели',
    identify: 'Определить',
    title: DISPLAY.title.ru,
    description: DISPLAY.description.ru,
    quality:
      'Проверка на рыбах, которых не было в обучении: называет вид примерно для 6 фото из 10; когда называет, прав в 9 случаях из 10.',
    size: /Размер: \d+(,\d)?\sМБ/,
    examples: /7 видов \(например: .+, .+, .+\)/,
    onDevice: (v: number) => `На устройстве: версия ${v}.`,
    notDownloaded: 'Не скачан.',
    inUse: 'Используется',
    delete: 'Удалить',
    keep: 'Оставить',
    deleteTitle: 'Удалить «Речные рыбы»?',
    lastInUse: 'Это используемый и единственный пакет на устройстве',
    download: 'Скачать',
    upToDate: /Все пакеты актуальны/,
    offline:
      'Нет сети: новые версии сейчас не проверить. Пакеты на устройстве продолжают работать.',
    needsNetwork: 'Для загрузки нужна сеть.',
    keepPacks: 'Сохранять пакеты',
    persisted: /Готово: браузер сохранит пакеты|Браузер не согласился/,
  },
};

/** First start: the person chooses river-fish on Identify and it gets ready. */
async function installDefault(page: Page) {
  await page.goto('/');
  await chooseFirstPack(page, 'river-fish');
}

async function openModels(page: Page, words: (typeof WORDS)['en']) {
  await page.getByRole('navigation').getByRole('link', { name: words.models }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(words.models);
}

const card = (page: Page, name: string) =>
  page.locator(`[data-testid="pack-card"][data-model="${name}"]`);

/** How many files of model `name` the device's pack storage holds. */
function storedFiles(page: Page, name: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('fishlens-models');
        open.onerror = () => reject(new Error(String(open.error)));
        open.onsuccess = () => {
          const all = open.result.transaction('files').objectStore('files').getAllKeys();
          all.onsuccess = () => {
            open.result.close();
            resolve(all.result.filter((key) => (key as string[])[0] === name).length);
          };
        };
      }),
    name,
  );
}

for (const locale of ['en', 'ru'] as const) {
  const w = WORDS[locale];

  test(`[${locale}] a pack card speaks of fish: its own title and description, size in the language's units, how often it names a species and is right (also before it is downloaded); names only under Technical details`, async ({
    page,
  }) => {
    await inLocale(page, locale);
    await installDefault(page);
    await openModels(page, w);
    const river = card(page, 'river-fish');
    await expect(river.getByRole('heading')).toHaveText(w.title);
    await expect(river).toContainText(w.description);
    await expect(river).toContainText(w.size);
    await expect(river).toContainText(w.examples);
    await expect(river.getByTestId('pack-quality')).toHaveText(w.quality);
    await expect(river.getByTestId('pack-state')).toHaveText(w.onDevice(1));
    await expect(river.getByText('river-fish')).toBeHidden();
    const reef = card(page, 'reef-fish');
    await expect(reef.getByTestId('pack-state')).toHaveText(w.notDownloaded);
    await expect(reef.getByTestId('pack-quality')).toHaveText(qualityLine(REEF_SURE, locale));
    // A bare export (no title in its metadata) is named in words, not by its registered name.
    await expect(reef.getByRole('heading')).toHaveText('Reef fish');
    await expect(page.locator('main')).not.toContainText(/registry|реестр|\bv\d/i);
    await expectAccessible(page);
  });

  test(`[${locale}] deleting the pack in use asks first; afterwards Models and Identify agree it is gone, also on the next visit`, async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await inLocale(page, locale);
    await installDefault(page);
    await openModels(page, w);
    const river = card(page, 'river-fish');
    await expect(river).toContainText(w.inUse);

    await river.getByRole('button', { name: w.delete }).click();
    const dialog = page.getByTestId('confirm-dialog');
    await expect(dialog.getByRole('heading')).toHaveText(w.deleteTitle);
    await expect(dialog).toContainText(w.lastInUse);
    await expectAccessible(page);
    await dialog.getByRole('button', { name: w.keep }).click();
    await expect(dialog).toBeHidden();
    await expect(river.getByTestId('pack-state')).toHaveText(w.onDevice(1));

    await river.getByRole('button', { name: w.delete }).click();
    await dialog.getByRole('button', { name: w.delete }).click();
    await expect(river.getByTestId('pack-state')).toHaveText(w.notDownloaded);
    await expect(river.getByRole('button', { name: w.download })).toBeVisible();
    await expect(page.getByText(w.inUse, { exact: true })).toHaveCount(0);
    expect(await storedFiles(page, 'river-fish')).toBe(0);

    // Identify offers the choice of packs again, with none in use and nothing downloading.
    await page.getByRole('navigation').getByRole('link', { name: w.identify }).click();
    const riverOption = packOption(page, 'river-fish');
    await expect(riverOption.getByTestId('choose-pack')).toHaveText(w.download);
    await expect(page.getByTestId('pack-progress')).toHaveCount(0);
    await expect(page.getByTestId('model-status')).toHaveCount(0);

    // The next visit: nothing came back unasked.
    await page.reload();
    await expect(riverOption.getByTestId('choose-pack')).toHaveText(w.download);
    expect(await storedFiles(page, 'river-fish')).toBe(0);
    await openModels(page, w);
    await expect(river.getByTestId('pack-state')).toHaveText(w.notDownloaded);
    expect(await storedFiles(page, 'river-fish')).toBe(0);
  });

  test(`[${locale}] offline, Models says it cannot check for new versions, never that all packs are up to date`, async ({
    page,
    context,
  }) => {
    await inLocale(page, locale);
    await installDefault(page);
    await openModels(page, w);
    await page.getByTestId('check-updates').click();
    await expect(page.getByTestId('packs-up-to-date')).toHaveText(w.upToDate);

    await context.setOffline(true);
    await expect(page.getByTestId('packs-offline')).toHaveText(w.offline);
    await expect(page.getByText(w.upToDate)).toHaveCount(0);
    await expect(page.getByTestId('check-updates')).toBeDisabled();
    const reef = card(page, 'reef-fish');
    await expect(reef.getByRole('button', { name: w.download })).toBeDisabled();
    await expect(reef).toContainText(w.needsNetwork);
    await expectAccessible(page);
  });

  test(`[${locale}] "Keep packs" shows the browser's answer`, async ({ page }) => {
    await inLocale(page, locale);
    await page.goto('/models');
    await expect(page.getByTestId('storage-persisted')).toHaveAttribute('data-persisted', 'false');
    await page.getByRole('button', { name: w.keepPacks }).click();
    await expect(page.getByTestId('storage-persist-answer')).toHaveText(w.persisted);
    const granted = await page.evaluate(() => navigator.storage.persisted());
    await expect(page.getByTestId('storage-persisted')).toHaveAttribute(
      'data-persisted',
      String(granted),
    );
  });
}

test('after an update and a roll back the card shows the version in use, with its own description, and one way forward', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const started = await startModelsServer();
  const { server } = started;
  const context = await browser.newContext({
    baseURL: server.url,
    viewport: { width: 360, height: 640 },
  });
  try {
    const page = await context.newPage();
    const w = WORDS.en;
    await installDefault(page);
    const second = {
      en: 'Seven river fish, trained again.',
      ru: 'Семь речных рыб, обучены заново.',
    };
    expect(await publishToServer(server, riverWithWords(second))).toContain('version 2');
    await openModels(page, w);
    const river = card(page, 'river-fish');
    await page.getByTestId('check-updates').click();
    await expect(river.getByTestId('pack-update')).toHaveText(/^New version 2 available \(\d/);
    await river.getByRole('button', { name: 'Update to version 2' }).click();
    await expect(river.getByTestId('pack-state')).toHaveText(
      'On this device: version 2. Version 1 is kept for going back.',
      { timeout: 120_000 },
    );
    await expect(river).toContainText(second.en);

    await river.getByRole('button', { name: 'Go back to version 1' }).click();
    await expect(river.getByTestId('pack-state')).toHaveText(
      'On this device: version 1. Version 2 is kept for going back.',
    );
    await expect(river).toContainText(DISPLAY.description.en);
    await expect(river).not.toContainText(second.en);
    await expect(river.getByRole('button', { name: 'Use version 2 again' })).toBeVisible();
    await expect(river.getByRole('button', { name: /Update/ })).toHaveCount(0);
    await expect(river.getByTestId('pack-update')).toHaveCount(0);
  } finally {
    await context.close();
    await started.dispose();
  }
});
