import { test as base } from '@playwright/test';
import { startFishlens, type FishlensServer } from '../support/fishlens-server.js';

/**
 * `fishlens`: one real server per test file (worker), on its own empty database.
 * `baseURL` points at it, so `page.goto('/')` opens the app.
 */
export const test = base.extend<Record<never, never>, { fishlens: FishlensServer }>({
  fishlens: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startFishlens();
      try {
        await use(server);
      } finally {
        await server.dispose();
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  baseURL: async ({ fishlens }, use) => {
    await use(fishlens.url);
  },
});

export { expect } from '@playwright/test';
