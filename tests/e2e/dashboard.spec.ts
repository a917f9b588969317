import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { startFishlens, type FishlensServer } from '../support/fishlens-server.js';
import { expectAccessible } from './axe.js';

const ADMIN_TOKEN = 'dashboard-e2e-admin-token-0123';

let server: FishlensServer;

test.beforeAll(async () => {
  server = await startFishlens({ env: { ADMIN_TOKEN } });
  // A few predictions of two model versions; three corrected by the user, two of them disagreeing.
  const device = (await (
    await fetch(`${server.url}/api/v1/devices`, { method: 'POST' })
  ).json()) as {
    token: string;
  };
  const prediction = (label: string, probability: number, feedback?: string, version = '3') => ({
    id: randomUUID(),
    createdAt: new Date(Date.now() - 3_600_000).toISOString(),
    model: { name: 'fish', version },
    top: [{ label, probability }],
    notSure: probability < 0.5,
    latencyMs: 20,
    backend: 'wasm',
    appVersion: '0.1.0',
    ...(feedback ? { feedback: { label: feedback } } : {}),
  });
  const res = await fetch(`${server.url}/api/v1/predictions/batch`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${device.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      predictions: [
        prediction('pike', 0.92, 'pike'),
        prediction('pike', 0.81),
        prediction('perch', 0.35, 'roach'),
        prediction('bream', 0.66),
        prediction('pike', 0.97, 'perch', '4'),
      ],
    }),
  });
  expect(res.status).toBe(200);
});

test.afterAll(() => server.dispose());

test('the dashboard asks for the admin token once, then draws the three charts', async ({
  page,
}) => {
  await page.goto(`${server.url}/dashboard`);
  await page.getByTestId('admin-token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Open dashboard' }).click();

  await expect(
    page.getByText('fish v3: 4 predictions, 1 “not sure” (25.0%), 1 of 2 corrections disagree'),
  ).toBeVisible();
  for (const chart of ['chart-species', 'chart-confidence', 'chart-disagreement']) {
    // uPlot draws on a canvas: pictures, not tables.
    await expect(page.getByTestId(chart).locator('canvas')).toBeVisible();
  }
  await expect(page.getByTestId('chart-species')).toContainText('pike');
  // Two versions: each has its summary and a legend entry in the per-version charts.
  await expect(page.getByText('fish v4: 1 predictions')).toBeVisible();
  await expect(page.getByTestId('chart-confidence')).toContainText('fish v4');
  // With its charts drawn, as an operator sees it.
  await expectAccessible(page);

  // Entered once: a reload opens the charts without asking again.
  await page.reload();
  await expect(page.getByTestId('chart-confidence').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('admin-token')).toHaveCount(0);
});

test('a wrong admin token is refused with a message and asked for again', async ({ page }) => {
  await page.goto(`${server.url}/dashboard`);
  await page.getByTestId('admin-token').fill('not-the-admin-token-0000');
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  await expect(page.getByTestId('dashboard-error')).toContainText('refused this token');
  await expect(page.getByTestId('admin-token')).toBeVisible();
});
