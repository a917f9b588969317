/**
 * Migrations that change stored data, run over rows written in the shape before them (on real
 * PostgreSQL when the run has it): nothing is lost, and every row says what it said before.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/test-database.js';
import { migrate, readMigrations } from './migrate.js';

/** Applies the migrations named before `version` (exclusive), then returns the rest. */
async function migrateUpTo(test: TestDatabase, version: string) {
  const all = await readMigrations();
  const index = all.findIndex((m) => m.version === version);
  expect(index).toBeGreaterThan(0);
  await migrate(test.db, all.slice(0, index));
  return all.slice(index);
}

describe('0004_prediction_version_integer', () => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await createTestDatabase({ migrate: false });
  });
  afterEach(() => test.drop());

  it('turns text versions into integers, keeps every row, and keeps non-numbers verbatim', async () => {
    const rest = await migrateUpTo(test, '0004_prediction_version_integer');
    const device = randomUUID();
    await test.db.query(`INSERT INTO devices (id, token_sha256) VALUES ($1, $2)`, [
      device,
      Buffer.alloc(32, 1),
    ]);
    const stored = ['1', '2', '10', '0007', 'v3', '0', '-1', '1.5', '', '99999999999', 'щука'];
    const ids = stored.map(() => randomUUID());
    await test.db.query(
      `INSERT INTO predictions (id, device_id, created_at, model_name, model_version, top_label,
         top_probability, top, not_sure, latency_ms, backend, app_version)
       SELECT id, $1, now(), 'fish', version, 'pike', 0.9, '[]', false, 10, 'wasm', '0.1.0'
       FROM unnest($2::uuid[], $3::text[]) AS t(id, version)`,
      [device, ids, stored],
    );

    await migrate(test.db, rest);

    const { rows } = await test.db.query<{
      id: string;
      model_version: number | null;
      model_version_unparsed: string | null;
    }>('SELECT id::text AS id, model_version, model_version_unparsed FROM predictions');
    expect(rows).toHaveLength(stored.length);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const after = ids.map((id) => {
      const row = byId.get(id)!;
      return [row.model_version, row.model_version_unparsed];
    });
    expect(after).toEqual([
      [1, null],
      [2, null],
      [10, null],
      [7, null],
      [null, 'v3'],
      [null, '0'],
      [null, '-1'],
      [null, '1.5'],
      [null, ''],
      [null, '99999999999'],
      [null, 'щука'],
    ]);
  });

  it('refuses a new row without a version number, or with one below 1', async () => {
    await migrate(test.db);
    const device = randomUUID();
    await test.db.query(`INSERT INTO devices (id, token_sha256) VALUES ($1, $2)`, [
      device,
      Buffer.alloc(32, 2),
    ]);
    const insert = (version: number | null) =>
      test.db.query(
        `INSERT INTO predictions (id, device_id, created_at, model_name, model_version, top_label,
           top_probability, top, not_sure, latency_ms, backend, app_version)
         VALUES ($1, $2, now(), 'fish', $3, 'pike', 0.9, '[]', false, 10, 'wasm', '0.1.0')`,
        [randomUUID(), device, version],
      );
    await expect(insert(null)).rejects.toThrow(/predictions_model_version_known/);
    await expect(insert(0)).rejects.toThrow(/predictions_model_version_positive/);
    await expect(insert(3)).resolves.toBeDefined();
  });
});
