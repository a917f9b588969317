/**
 * History on a 360×640 phone, in English and Russian: species by name (also for a pack version no
 * longer on the device), a page per identification, the correction picker with every species of
 * its pack, delete with undo, delete all with a question first, and what deleting does to
 * identifications not sent yet (they are discarded: the server never gets them).
 */
import type { BrowserContext, Page } from '@playwright/test';
import { FIXTURES } from '../support/test-packs.js';
import { expectAccessible } from './axe.js';
import { expect, test } from './fixtures.js';
import { demoLabels, inLocale, loggedPrediction, type SeedLabel } from './log-seed.js';
import { loggedEntry, nudgeSync, rowsFor, seedLog } from './sync-helpers.js';

test.use({ viewport: { width: 360, height: 640 } });

const THUMBNAIL = `${FIXTURES}/bream/20150413_165229_B562_00408CF4B573_fish1_frame22.png`;
const RIVER = { name: 'river-fish', version: 1, labels: demoLabels('river-fish') };
/** A pack version that is not on the device (nor in the registry) any more. */
const GONE: { name: string; version: number; labels: SeedLabel[] } = {
  name: 'lake-fish',
  version: 3,
  labels: [
    { id: 'ide', latin: 'Leuciscus idus', names: { en: 'ide', ru: 'язь' } },
    { id: 'fish_10', latin: 'Sargocentron rubrum', names: { en: 'redcoat squirrelfish' } },
  ],
};

const WORDS = {
  en: {
    bream: 'common bream',
    maybePerch: 'Maybe European perch',
    unknownChub: 'Not one of my species (closest: European chub)',
    unknownLine: 'This photo looked like none of the species its pack knows.',
    perch: 'European perch',
    ide: 'ide',
    squirrelfish: 'redcoat squirrelfish',
    percent: (n: number) => `${n}%`,
    correct: 'Correct the species',
    save: 'Save correction',
    saved: 'Correction saved: European perch',
    said: 'You said: European perch',
    details: 'Technical details',
    deleteAll: 'Delete all',
    cancel: 'Cancel',
    clearBody: '3 identifications will be deleted from this device.',
    clearUnsent: '2 of them have not been sent yet: they are discarded and never sent.',
    cleared: '3 identifications deleted.',
    empty: 'Your identifications appear here.',
    deletedSent: 'The copy already sent stays on the server.',
    undo: 'Undo',
  },
  ru: {
    bream: 'лещ',
    maybePerch: 'Возможно, окунь речной',
    unknownChub: 'Не из известных мне видов (ближе всего: голавль)',
    unknownLine: 'Это фото не похоже ни на один из видов, которые знает его пакет.',
    perch: 'окунь речной',
    ide: 'язь',
    // No Russian name in the pack: the Latin one (a Russian screen shows no English), never the id.
    squirrelfish: 'Sargocentron rubrum',
    percent: (n: number) => `${n}\u00a0%`,
    correct: 'Исправить вид',
    save: 'Сохранить исправление',
    saved: 'Исправление сохранено: окунь речной',
    said: 'Вы указали: окунь речной',
    details: 'Технические подробности',
    deleteAll: 'Удалить всё',
    cancel: 'Отмена',
    clearBody: 'С устройства будут удалены 3 определения.',
    clearUnsent: 'Ещё не отправлены и будут отброшены без отправки: 2.',
    cleared: 'Удалено определений: 3.',
    empty: 'Здесь появятся ваши определения.',
    deletedSent: 'Уже отправленная копия остаётся на сервере.',
    undo: 'Вернуть',
  },
};

/** History in `locale`, offline (nothing is sent meanwhile), with `entries` in the log. */
async function openHistory(
  page: Page,
  context: BrowserContext,
  locale: 'en' | 'ru',
  entries: Record<string, unknown>[],
  packs = [RIVER],
) {
  await inLocale(page, locale);
  await page.goto('/history');
  await context.setOffline(true);
  await seedLog(page, entries, packs);
}

for (const locale of ['en', 'ru'] as const) {
  const w = WORDS[locale];

  test(`[${locale}] History names every species, also those of a pack version no longer on the device, and never shows ids`, async ({
    page,
    context,
  }) => {
    await openHistory(
      page,
      context,
      locale,
      [
        loggedPrediction({ createdAt: '2026-11-01T10:00:00Z', thumbnail: THUMBNAIL }),
        loggedPrediction({
          createdAt: '2026-11-01T09:00:00Z',
          notSure: true,
          top: [
            { label: 'perch', probability: 0.41 },
            { label: 'chub', probability: 0.3 },
          ],
        }),
        loggedPrediction({
          createdAt: '2026-11-01T08:00:00Z',
          model: { name: GONE.name, version: GONE.version },
          top: [{ label: 'ide', probability: 0.7 }],
        }),
        loggedPrediction({
          createdAt: '2026-11-01T07:00:00Z',
          model: { name: GONE.name, version: GONE.version },
          top: [{ label: 'fish_10', probability: 0.66 }],
        }),
      ],
      [RIVER, GONE],
    );
    await expect(page.getByTestId('history-species')).toHaveText([
      `${w.bream} ${w.percent(81)}`,
      `${w.maybePerch} ${w.percent(41)}`,
      `${w.ide} ${w.percent(70)}`,
      `${w.squirrelfish} ${w.percent(66)}`,
    ]);
    await expect(page.getByTestId('history-item').first().locator('img')).toBeVisible();
    await expect(page.locator('main')).not.toContainText(/fish_10|river-fish|lake-fish|wasm/i);
    await expectAccessible(page);
  });

  test(`[${locale}] a photo of none of the pack's species is listed and opened as that, not as a species with a percentage`, async ({
    page,
    context,
  }) => {
    const entry = loggedPrediction({
      createdAt: '2026-11-01T10:00:00Z',
      notSure: true,
      unknown: true,
      top: [
        { label: 'chub', probability: 0.62 },
        { label: 'nase', probability: 0.2 },
      ],
    });
    const older = loggedPrediction({ createdAt: '2026-11-01T09:00:00Z' });
    await openHistory(page, context, locale, [entry, older]);
    await expect(page.getByTestId('history-species')).toHaveText([
      w.unknownChub,
      `${w.bream} ${w.percent(81)}`,
    ]);
    await page.getByTestId('history-item').first().getByRole('link').click();
    await expect(page).toHaveURL(`/history/${entry.id as string}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(w.unknownChub);
    await expect(page.locator('.history-confidence')).toHaveText(w.unknownLine);
    await expectAccessible(page);
  });

  test(`[${locale}] an identification opens on its own page; the picker offers every species of its pack by name and confirms the correction`, async ({
    page,
    context,
  }) => {
    const entry = loggedPrediction({ thumbnail: THUMBNAIL });
    await openHistory(page, context, locale, [entry]);

    await page.getByTestId('history-item').getByRole('link').click();
    await expect(page).toHaveURL(`/history/${entry.id as string}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(w.bream);
    await expect(page.locator('.history-top li')).toHaveText([
      `${w.bream} ${w.percent(81)}`,
      new RegExp(`^${w.perch} `),
      /^\S.* \d+\s?%$/,
    ]);
    // Pack, engine and record are there for whoever asks, not in the way.
    const details = page.getByText(w.details);
    await expect(details).toBeVisible();
    await expect(page.getByText(/river-fish/)).toBeHidden();
    await expectAccessible(page);

    await page.getByRole('button', { name: w.correct }).click();
    const picker = page.getByTestId('species-picker');
    await expect(picker).toBeVisible();
    const choices = picker.getByRole('radio');
    await expect(choices).toHaveCount(RIVER.labels.length);
    // Every species by name, in the order of the language.
    const names = RIVER.labels.map((l) => l.names[locale]!);
    await expect(picker.locator('.species-choice-name')).toHaveText(
      [...names].sort((a, b) => a.localeCompare(b, locale)),
    );
    await expectAccessible(page);
    await picker.getByRole('radio', { name: w.perch }).check();
    // Nothing is stored before the choice is saved.
    expect((await loggedEntry(page, entry.id as string))?.feedback).toBeUndefined();
    await picker.getByRole('button', { name: w.save }).click();
    await expect(picker).toBeHidden();
    await expect(page.getByTestId('correction-saved')).toContainText(w.saved);
    await expect(page.getByTestId('history-correction')).toHaveText(w.said);
    await expect
      .poll(async () => (await loggedEntry(page, entry.id as string))?.feedback?.label)
      .toBe('perch');

    await page
      .getByRole('link', { name: /History|История/ })
      .first()
      .click();
    await expect(page.getByTestId('history-item')).toContainText(w.said);
  });

  test(`[${locale}] delete all asks first, says what happens to identifications not sent yet, and cancel keeps them`, async ({
    page,
    context,
  }) => {
    await openHistory(page, context, locale, [
      loggedPrediction(),
      loggedPrediction(),
      loggedPrediction({ state: 'synced' }),
    ]);
    await expect(page.getByTestId('history-item')).toHaveCount(3);

    await page.getByRole('button', { name: w.deleteAll }).click();
    const dialog = page.getByTestId('confirm-dialog');
    await expect(dialog).toContainText(w.clearBody);
    await expect(dialog).toContainText(w.clearUnsent);
    await expectAccessible(page);
    await dialog.getByRole('button', { name: w.cancel }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('history-item')).toHaveCount(3);

    await page.getByRole('button', { name: w.deleteAll }).click();
    await dialog.getByRole('button', { name: w.deleteAll }).click();
    await expect(page.getByTestId('history-cleared')).toHaveText(w.cleared);
    await expect(page.getByText(w.empty)).toBeVisible();
    await context.setOffline(false);
    await page.reload();
    await expect(page.getByText(w.empty)).toBeVisible();
  });

  test(`[${locale}] deleting one identification says what happens to it and can be undone`, async ({
    page,
    context,
  }) => {
    const entry = loggedPrediction({ state: 'synced', feedback: { label: 'perch' } });
    await openHistory(page, context, locale, [entry]);
    await page.getByTestId('history-item').getByRole('link').click();
    await page.getByTestId('history-delete').click();
    await expect(page).toHaveURL('/history');
    const notice = page.getByTestId('deletion-notice');
    await expect(notice).toContainText(w.deletedSent);
    await expect(page.getByTestId('history-item')).toHaveCount(0);
    expect(await loggedEntry(page, entry.id as string)).toBeUndefined();
    await expectAccessible(page);
    await notice.getByRole('button', { name: w.undo }).click();
    await expect(page.getByTestId('history-item')).toHaveCount(1);
    await expect(page.getByTestId('history-item')).toContainText(w.said);
    expect(await loggedEntry(page, entry.id as string)).toMatchObject({ state: 'synced' });
  });
}

test('an identification deleted before it was sent never reaches the server; one deleted and undone is sent', async ({
  page,
  context,
  fishlens,
}) => {
  await page.goto('/history');
  await context.setOffline(true);
  const discarded = loggedPrediction();
  const undone = loggedPrediction();
  await seedLog(page, [discarded, undone], [RIVER]);

  for (const entry of [discarded, undone]) {
    await page.locator(`[data-testid="history-item"][data-id="${entry.id as string}"] a`).click();
    await page.getByTestId('history-delete').click();
    await expect(page.getByTestId('deletion-notice')).toContainText(
      'It had not been sent yet, so it never will be.',
    );
  }
  await page.getByTestId('deletion-notice').getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByTestId('history-item')).toHaveCount(1);

  await context.setOffline(false);
  await nudgeSync(page);
  await expect(page.locator('[data-testid="history-item"][data-state="synced"]')).toHaveCount(1);
  const rows = await rowsFor(fishlens.databaseUrl!, [discarded.id as string, undone.id as string]);
  expect(Object.fromEntries(rows)).toEqual({
    [discarded.id as string]: 0,
    [undone.id as string]: 1,
  });
});
