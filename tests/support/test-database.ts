/**
 * A fresh, migrated database per test file: a new database on the run's PostgreSQL (see
 * postgres.ts), or an in-memory PGlite when no PostgreSQL exists (the global setup said so).
 */
import { inject } from 'vitest';
import type { Database } from '../../server/db/index.js';
import { migrate } from '../../server/db/migrate.js';
import { openPglite } from '../../server/db/pglite.js';
import { openPostgres } from '../../server/db/postgres.js';
import { createDatabaseOn } from './test-database-admin.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by vitest-postgres.ts: the run's PostgreSQL admin URL, or undefined (PGlite). */
    postgresAdminUrl: string | undefined;
  }
}

export interface TestDatabase {
  db: Database;
  /** URL of this test's own database; undefined on PGlite. */
  url: string | undefined;
  drop(): Promise<void>;
}

export async function createTestDatabase(
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
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
