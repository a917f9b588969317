/** Creating and dropping per-test databases on a PostgreSQL server (no test-runner imports). */
import { randomBytes } from 'node:crypto';
import { openPostgres } from '../../server/db/postgres.js';

/** Creates `fishlens_test_<random>` on the admin URL's server and returns its URL. */
export async function createDatabaseOn(
  adminUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `fishlens_test_${randomBytes(6).toString('hex')}`;
  const admin = openPostgres(adminUrl, { poolMax: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.close();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = openPostgres(adminUrl, { poolMax: 1 });
      try {
        await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await again.close();
      }
    },
  };
}
