/** Driving the pack choice of the Identify screen (first start, and "Change" later). */
import { expect, type Page } from '@playwright/test';

/** The option for `name` in the open pack choice. */
export function packOption(page: Page, name: string) {
  return page.locator(`[data-testid="pack-option"][data-model="${name}"]`);
}

/**
 * On a first start (no pack on the device), picks `name` in the choice and waits until the
 * Identify screen is ready with it.
 */
export async function chooseFirstPack(page: Page, name: string): Promise<void> {
  await expect(page.getByTestId('pack-choice')).toBeVisible({ timeout: 60_000 });
  await packOption(page, name).getByTestId('choose-pack').click();
  await expectPackReady(page, name);
}

/**
 * Waits until the Identify screen runs `name` (version `version` when given): ready and that pack
 * at once, as one condition (while a switch loads, the status names the new pack before it is ready,
 * and the old one is still ready).
 */
export async function expectPackReady(page: Page, name: string, version?: string): Promise<void> {
  const versioned = version ? `[data-version="${version}"]` : '';
  await expect(
    page.locator(
      `[data-testid="model-status"][data-state="ready"][data-model="${name}"]${versioned}`,
    ),
  ).toHaveCount(1, { timeout: 90_000 });
}
