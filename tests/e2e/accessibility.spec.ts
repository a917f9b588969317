import { expectAccessible } from './axe.js';
import { expect, test } from './fixtures.js';

// axe-core on each screen as a first-time visitor meets it (no pack downloaded yet, nothing logged).
for (const [path, heading] of [
  ['/', /Identify a fish/],
  ['/history', /History/],
  ['/models', /Models/],
  ['/status', /Status/],
  ['/dashboard', /Field dashboard/],
] as const) {
  test(`${path} has no serious or critical accessibility violations`, async ({ page }) => {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    await expectAccessible(page);
  });
}
