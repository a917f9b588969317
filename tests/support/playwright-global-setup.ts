import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromiumPath } from './chromium.js';
import { acquirePostgres } from './postgres.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Once per Playwright run: check Chromium exists, build the app from the current sources (the
 * servers under test serve dist/client), and get real PostgreSQL for the servers' databases.
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
  const postgres = await acquirePostgres();
  if (postgres.adminUrl) process.env.POSTGRES_ADMIN_URL = postgres.adminUrl;
  return () => postgres.stop();
}
