/**
 * Every prediction reaches PostgreSQL exactly once: offline → online, a server killed in the
 * middle of a batch, a response lost after the commit, 500/503/429 answers, two tabs, and a batch
 * with one invalid entry. Assertions are on what PostgreSQL holds and what the app's outbox says.
 */
import { startFishlens } from '../support/fishlens-server.js';
import { expect, test } from './fixtures.js';
import {
  feedbackOf,
  lossyProxy,
  nudgeSync,
  outboxEntry,
  seedOutbox,
  storedSummary,
} from './sync-helpers.js';

const BATCH_PATH = '/api/v1/predictions/batch';

test.describe.configure({ mode: 'serial' });

test('three predictions made offline reach PostgreSQL exactly once when back online', async ({
  page,
  context,
  fishlens,
}) => {
  await page.goto('/status');
  const outbox = page.locator('[data-testid="outbox"]');
  await expect(outbox).toHaveAttribute('data-pending', '0');
  await context.setOffline(true);
  const ids = await seedOutbox(page, [outboxEntry(), outboxEntry(), outboxEntry()]);
  // Leave and come back (client-side navigation): the count is read from IndexedDB again.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'History' }).click();
  await expect(page.locator('[data-testid="history-item"][data-state="pending"]')).toHaveCount(3);
  await nav.getByRole('link', { name: 'Status' }).click();
  await expect(outbox).toHaveAttribute('data-pending', '3');
  expect(await storedSummary(fishlens.databaseUrl!, ids)).toEqual({
    stored: 0,
    missing: 3,
    doubled: 0,
  });

  await context.setOffline(false);
  await expect(outbox).toHaveAttribute('data-pending', '0');
  expect(await storedSummary(fishlens.databaseUrl!, ids)).toEqual({
    stored: 3,
    missing: 0,
    doubled: 0,
  });
  await expect(page.locator('[data-testid="last-sync"]')).not.toHaveAttribute('data-at', '');
  await page.goto('/history');
  await expect(page.locator('[data-testid="history-item"][data-state="synced"]')).toHaveCount(3);

  // Feedback given in History after the sync reaches the stored row as an update.
  await page.locator(`[data-testid="history-item"][data-id="${ids[0]!}"] a`).click();
  await page.getByRole('button', { name: 'Correct the species' }).click();
  await page.getByTestId('species-picker').getByRole('radio', { name: 'perch' }).check();
  await page.getByRole('button', { name: 'Save correction' }).click();
  await expect(page.getByTestId('correction-saved')).toBeVisible();
  await expect
    .poll(() => feedbackOf(fishlens.databaseUrl!, ids[0]!), { timeout: 30_000 })
    .toBe('perch');
  expect(await storedSummary(fishlens.databaseUrl!, ids)).toEqual({
    stored: 3,
    missing: 0,
    doubled: 0,
  });
});

test('a batch with one invalid entry: the rest stored, that one dead-lettered', async ({
  page,
  fishlens,
}) => {
  await page.goto('/status');
  const bad = outboxEntry({ top: [{ label: 'bream', probability: 1.5 }] });
  const good = [outboxEntry(), outboxEntry()];
  await seedOutbox(page, [good[0]!, bad, good[1]!]);
  await nudgeSync(page);
  await expect(page.locator('[data-testid="outbox"]')).toHaveAttribute('data-pending', '0');
  await expect(page.locator('[data-testid="dead-letters"]')).toHaveAttribute('data-count', '1');
  await expect(
    page.locator(`[data-testid="dead-letters"] [data-id="${bad.id as string}"]`),
  ).toContainText('probability');
  expect(
    await storedSummary(
      fishlens.databaseUrl!,
      good.map((g) => g.id as string),
    ),
  ).toEqual({ stored: 2, missing: 0, doubled: 0 });
  expect(await storedSummary(fishlens.databaseUrl!, [bad.id as string])).toEqual({
    stored: 0,
    missing: 1,
    doubled: 0,
  });
});

test('500, 503 and 429 answers: nothing dropped, retries back off and honour Retry-After', async ({
  page,
  fishlens,
}) => {
  const attempts: number[] = [];
  const scripted: { status: number; headers: Record<string, string> }[] = [
    { status: 500, headers: {} },
    { status: 503, headers: {} },
    { status: 429, headers: { 'Retry-After': '3' } },
  ];
  // Armed once the outbox is seeded: a sync the first page starts on its own is not counted.
  let armed = false;
  await page.route(`**${BATCH_PATH}`, async (route) => {
    if (!armed) return route.abort('failed');
    attempts.push(Date.now());
    const next = scripted.shift();
    if (!next) return route.continue();
    return route.fulfill({
      status: next.status,
      headers: { 'Content-Type': 'application/problem+json', ...next.headers },
      body: JSON.stringify({ type: 'about:blank', title: 'scripted', status: next.status }),
    });
  });
  await page.goto('/status');
  const ids = await seedOutbox(
    page,
    Array.from({ length: 5 }, () => outboxEntry()),
  );
  // The app's own start-up sync sends them: a nudge ('online', which skips any backoff) could
  // land just after a start-up run had begun and make a second attempt at once.
  armed = true;
  await page.reload();
  await expect(page.locator('[data-testid="outbox"]')).toHaveAttribute('data-pending', '0', {
    timeout: 60_000,
  });
  expect(attempts.length).toBe(4);
  const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
  // Equal jitter: the n-th wait lies in [base·2^n / 2, base·2^n] (base 1 s), so waits never shrink.
  expect(gaps[0]!).toBeGreaterThanOrEqual(450);
  expect(gaps[1]!).toBeGreaterThanOrEqual(950);
  expect(gaps[1]!).toBeGreaterThanOrEqual(gaps[0]! * 0.9);
  expect(gaps[2]!).toBeGreaterThanOrEqual(3_000); // Retry-After: 3
  expect(await storedSummary(fishlens.databaseUrl!, ids)).toEqual({
    stored: 5,
    missing: 0,
    doubled: 0,
  });
});

test('two tabs syncing the same outbox at once store each prediction once', async ({
  context,
  fishlens,
}) => {
  const [first, second] = [await context.newPage(), await context.newPage()];
  await first.goto('/status');
  await second.goto('/status');
  // Hold the first batch request until the other tab has sent one too, so both tabs really send
  // the same entries at the same time.
  const answers: { accepted: number; duplicates: number }[] = [];
  let release!: () => void;
  const bothSent = new Promise<void>((resolve) => (release = resolve));
  let requests = 0;
  await context.route(`**${BATCH_PATH}`, async (route) => {
    requests += 1;
    if (requests === 2) release();
    if (requests <= 2) await bothSent;
    const response = await route.fetch();
    answers.push((await response.json()) as { accepted: number; duplicates: number });
    await route.fulfill({ response });
  });
  const ids = await seedOutbox(
    first,
    Array.from({ length: 1200 }, () => outboxEntry()),
  );
  await Promise.all([nudgeSync(first), nudgeSync(second)]);
  for (const page of [first, second]) {
    await expect(page.locator('[data-testid="outbox"]')).toHaveAttribute('data-pending', '0', {
      timeout: 60_000,
    });
  }
  expect(requests).toBeGreaterThanOrEqual(4);
  expect(answers.reduce((sum, a) => sum + a.accepted, 0)).toBe(1200);
  expect(answers.reduce((sum, a) => sum + a.duplicates, 0)).toBeGreaterThanOrEqual(500);
  expect(await storedSummary(fishlens.databaseUrl!, ids)).toEqual({
    stored: 1200,
    missing: 0,
    doubled: 0,
  });
});

test('a response lost after the commit: the app resends and PostgreSQL holds one copy', async ({
  page,
  fishlens,
}) => {
  const proxy = await lossyProxy(fishlens.url, 1);
  try {
    await page.goto(`${proxy.url}/status`);
    const ids = await seedOutbox(page, [outboxEntry(), outboxEntry(), outboxEntry()]);
    await nudgeSync(page);
    await expect(page.locator('[data-testid="outbox"]')).toHaveAttribute('data-pending', '0', {
      timeout: 30_000,
    });
    expect(proxy.batches.length).toBe(2);
    expect(proxy.batches[0]).toMatchObject({ status: 200, dropped: true });
    expect(JSON.parse(proxy.batches[0]!.body)).toMatchObject({ accepted: 3, duplicates: 0 });
    expect(JSON.parse(proxy.batches[1]!.body)).toMatchObject({ accepted: 0, duplicates: 3 });
    expect(await storedSummary(fishlens.databaseUrl!, ids)).toEqual({
      stored: 3,
      missing: 0,
      doubled: 0,
    });
  } finally {
    await proxy.close();
  }
});

test('the server killed in the middle of a batch and restarted: nothing lost, nothing doubled', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const server = await startFishlens();
  try {
    const kill: { done: Promise<void> | null } = { done: null };
    let seen = 0;
    await page.route(`**${BATCH_PATH}`, async (route) => {
      seen += 1;
      if (seen === 2 && !kill.done) {
        // Let the second batch reach the server, then kill it (SIGKILL) while it works on it.
        const sent = route.continue();
        kill.done = server.kill();
        await sent.catch(() => {});
        return;
      }
      await route.continue().catch(() => {});
    });
    await page.goto(`${server.url}/status`);
    const ids = await seedOutbox(
      page,
      Array.from({ length: 2000 }, () => outboxEntry()),
    );
    await nudgeSync(page);
    await expect.poll(() => kill.done !== null, { timeout: 60_000 }).toBe(true);
    await kill.done;
    const afterKill = await storedSummary(server.databaseUrl!, ids);
    expect(afterKill.stored).toBeGreaterThanOrEqual(500); // the first batch was acknowledged
    expect(afterKill.stored).toBeLessThan(2000);
    await server.restart();
    await expect(page.locator('[data-testid="outbox"]')).toHaveAttribute('data-pending', '0', {
      timeout: 120_000,
    });
    expect(await storedSummary(server.databaseUrl!, ids)).toEqual({
      stored: 2000,
      missing: 0,
      doubled: 0,
    });
  } finally {
    await server.dispose();
  }
});
