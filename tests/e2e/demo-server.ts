/**
 * The e2e `test` with one Fishlens server per worker whose registry publishes the committed demo
 * packs (models/demo), as a fresh install of the app offers them.
 */
import { join } from 'node:path';
import { startFishlens, type FishlensServer } from '../support/fishlens-server.js';
import { ROOT } from '../support/test-packs.js';
import { test as base } from './fixtures.js';

export const DEMO_PACKS_DIR = join(ROOT, 'models/demo');

export const test = base.extend<Record<never, never>, { demoServer: FishlensServer }>({
  demoServer: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startFishlens({
        timeoutMs: 240_000,
        env: { DEMO_MODELS: 'always', DEMO_MODELS_DIR: DEMO_PACKS_DIR },
      });
      try {
        await use(server);
      } finally {
        await server.dispose();
      }
    },
    { scope: 'worker', timeout: 300_000 },
  ],
  baseURL: async ({ demoServer }, use) => use(demoServer.url),
});
