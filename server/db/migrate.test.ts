import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/test-database.js';
import { openPglite } from './pglite.js';
import { migrate, readMigrations } from './migrate.js';

describe('migrate', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase({ migrate: false });
  });
  afterAll(() => test.drop());

  it('applies every migration once and records it', async () => {
    const all = await readMigrations();
    expect(all.length).toBeGreaterThan(0);
    expect(await migrate(test.db)).toEqual(all.map((m) => m.version));
    expect(await migrate(test.db)).toEqual([]);
    const recorded = await test.db.query<{ version: string }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(recorded.rows.map((r) => r.version)).toEqual(all.map((m) => m.version));
  });

  it('applies a migration exactly once when two replicas migrate at the same time', async () => {
    const migrations = [
      {
        version: '9001_counter',
        sql: 'CREATE TABLE race_counter (n int); INSERT INTO race_counter VALUES (1);',
      },
    ];
    const results = await Promise.all([migrate(test.db, migrations), migrate(test.db, migrations)]);
    expect(results.flat()).toEqual(['9001_counter']);
    const rows = await test.db.query<{ n: number }>('SELECT n FROM race_counter');
    expect(rows.rows).toEqual([{ n: 1 }]);
  });

  it('rolls back a failing migration completely', async () => {
    const broken = [
      { version: '9002_broken', sql: 'CREATE TABLE half_done (n int); SELECT no_such_function();' },
    ];
    await expect(migrate(test.db, broken)).rejects.toThrow(/no_such_function/);
    const table = await test.db.query("SELECT to_regclass('half_done') AS t");
    expect(table.rows[0]).toEqual({ t: null });
    const recorded = await test.db.query(
      "SELECT 1 FROM schema_migrations WHERE version = '9002_broken'",
    );
    expect(recorded.rows).toHaveLength(0);
  });

  it('runs the same migrations on PGlite, the embedded default', async () => {
    const lite = await openPglite(undefined);
    try {
      const all = await readMigrations();
      expect(await migrate(lite)).toEqual(all.map((m) => m.version));
    } finally {
      await lite.close();
    }
    // PGlite compiles PostgreSQL to WASM on first open: tens of seconds on a busy 2-core machine.
  }, 120_000);
});
