/**
 * The whole path with the real model: identifications made offline on the Identify screen are
 * stored in the outbox before they are shown, and reach PostgreSQL exactly once when back online.
 */
import pg from 'pg';
import { fixturePhotos, packLabels } from '../support/test-packs.js';
import { expect, identify, openReady, test } from './identify-fixtures.js';

async function storedRows(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; model_name: string; top_label: string }>(
      'SELECT id::text AS id, model_name, top_label FROM predictions ORDER BY created_at',
    );
    return rows;
  } finally {
    await client.end();
  }
}

test('three identifications made offline reach PostgreSQL exactly once when back online', async ({
  page,
  context,
  pack,
  packServer,
}) => {
  test.setTimeout(400_000);
  await openReady(page, 'wasm', pack);
  // The server (and its database) is shared with the other identify tests of this worker, whose
  // predictions are synced too: only rows that appear during this test count.
  const before = new Set((await storedRows(packServer.databaseUrl!)).map((r) => r.id));
  const newRows = async () =>
    (await storedRows(packServer.databaseUrl!)).filter((r) => !before.has(r.id));
  const photos = fixturePhotos(packLabels(pack.dir));
  expect(photos.length).toBeGreaterThanOrEqual(1);
  await context.setOffline(true);
  const labels: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const outcome = await identify(page, photos[i % photos.length]!.file);
    expect(outcome.kind).toBe('prediction');
    if (outcome.kind === 'prediction') labels.push(outcome.label);
  }
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Status' }).click();
  const outbox = page.locator('[data-testid="outbox"]');
  await expect(outbox).toHaveAttribute('data-pending', '3');
  expect(await newRows()).toEqual([]);

  await context.setOffline(false);
  await expect(outbox).toHaveAttribute('data-pending', '0', { timeout: 60_000 });
  const rows = await newRows();
  expect(rows).toHaveLength(3);
  expect(new Set(rows.map((r) => r.id)).size).toBe(3);
  expect(rows.every((r) => r.model_name === pack.name)).toBe(true);
  expect(rows.map((r) => r.top_label)).toEqual(labels);
  await nav.getByRole('link', { name: 'History' }).click();
  await expect(page.locator('[data-testid="history-item"][data-state="synced"]')).toHaveCount(3);
});
