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

/** Waits until the Identify screen runs `name` (version `version` when given). */
export async function expectPackReady(page: Page, name: string, version?: string): Promise<void> {
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await expect(status).toHaveAttribute('data-model', name);
  if (version) await expect(status).toHaveAttribute('data-version', version);
}
