import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.js';

/**
 * A Chromium context with a real (non-incognito) profile in a temp folder, removed on close:
 * needed where Chromium treats incognito differently (installability, storage persistence).
 */
export async function launchPersistentChromium(
  options: { args?: string[]; viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'fishlens-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    viewport: options.viewport ?? { width: 360, height: 740 },
  });
  context.once('close', () => {
    // Chromium may still be writing the profile as it exits; retry, and never fail a test on it.
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    } catch {
      /* a leftover temp folder is harmless */
    }
  });
  return context;
}
