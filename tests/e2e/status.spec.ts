/**
 * Status on a 360×640 phone, in English and Russian: what waits to be sent in words with the
 * right plural, nothing about "the server refused / None." when all is well, and an
 * identification the server did not accept named by its species, its reason under Technical details.
 */
import { expectAccessible } from './axe.js';
import { expect, test } from './fixtures.js';
import { seedLog } from './sync-helpers.js';
import { demoLabels, inLocale, loggedPrediction } from './log-seed.js';

test.use({ viewport: { width: 360, height: 640 } });

const RIVER = { name: 'river-fish', version: 1, labels: demoLabels('river-fish') };

const WORDS = {
  en: {
    allSent: 'All identifications are sent.',
    onePending: '1 identification waiting to be sent',
    notAccepted: 'Not accepted',
    bream: 'common bream',
    details: 'Technical details',
  },
  ru: {
    allSent: 'Все определения отправлены.',
    onePending: 'Ждут отправки: 1',
    notAccepted: 'Не принято',
    bream: 'лещ',
    details: 'Технические подробности',
  },
};

for (const locale of ['en', 'ru'] as const) {
  const w = WORDS[locale];

  test(`[${locale}] Status says what waits to be sent, and names an identification the server did not accept by its species`, async ({
    page,
    context,
  }) => {
    await inLocale(page, locale);
    await page.goto('/status');
    const outbox = page.getByTestId('outbox');
    await expect(outbox).toHaveText(w.allSent);
    await expect(page.locator('main')).not.toContainText(/Refused|None\.|Отклонено|Нет\./);
    await expectAccessible(page);

    await context.setOffline(true);
    await seedLog(
      page,
      [
        loggedPrediction(),
        loggedPrediction({ state: 'rejected', rejectReason: 'top[0].probability: too big' }),
      ],
      [RIVER],
    );
    await expect(outbox).toHaveText(w.onePending);
    const dead = page.getByTestId('dead-letters');
    await expect(page.getByRole('heading', { name: w.notAccepted })).toBeVisible();
    await expect(dead.locator('li')).toHaveCount(1);
    await expect(dead.locator('li p').first()).toContainText(w.bream);
    await expect(dead.getByText('too big')).toBeHidden();
    await dead.getByText(w.details).click();
    await expect(dead.getByText('too big')).toBeVisible();
    await expectAccessible(page);
  });
}
