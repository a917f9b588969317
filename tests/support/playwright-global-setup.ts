import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromiumPath } from './chromium.js';
import { acquirePostgres } from './postgres.js';
import { claimRunScratch } from './run-scratch.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Once per Playwright run: check Chromium exists, build the app from the current sources (the
 * servers under test serve dist/client), and get real PostgreSQL for the servers' databases.
 * Everything the run writes to temp folders goes into one folder, removed at the end.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  chromiumPath();
  if (process.env.FISHLENS_E2E_SKIP_BUILD !== '1') {
    execFileSync(
      process.execPath,
      ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    );
  }
  const releaseScratch = claimRunScratch();
  const postgres = await acquirePostgres().catch((error: unknown) => {
    releaseScratch();
    throw error;
  });
  if (postgres.adminUrl) process.env.POSTGRES_ADMIN_URL = postgres.adminUrl;
  return async () => {
    try {
      await postgres.stop();
    } finally {
      releaseScratch();
    }
  };
}
