/**
 * A fresh, migrated database per test file: a new database on the run's PostgreSQL (see
 * postgres.ts), or an in-memory PGlite when no PostgreSQL exists (the global setup said so).
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { Database } from '../../server/db/index.js';
import { migrate } from '../../server/db/migrate.js';
import { openPglite } from '../../server/db/pglite.js';
import { openPostgres } from '../../server/db/postgres.js';

export interface TestDatabase {
  db: Database;
  /** URL of this test's own database; undefined on PGlite. */
  url: string | undefined;
  drop(): Promise<void>;
}

/** Creates `fishlens_test_<random>` on the admin URL's server and returns its URL. */
export async function createDatabaseOn(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
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

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject('postgresAdminUrl');
  let test: TestDatabase;
  if (adminUrl) {
    const created = await createDatabaseOn(adminUrl);
    const db = openPostgres(created.url, { poolMax: 5 });
    test = {
      db,
      url: created.url,
      async drop() {
        await db.close();
        await created.drop();
      },
    };
  } else {
    const db = await openPglite(undefined);
    test = { db, url: undefined, drop: () => db.close() };
  }
  if (options.migrate !== false) await migrate(test.db);
  return test;
}
