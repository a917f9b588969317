import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from './database.js';

/**
 * Opens the embedded PostgreSQL (PGlite) stored in `dataDir`, or in memory when `dataDir` is
 * undefined. PGlite runs one statement at a time in this process, which suits one laptop.
 */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);

  const toResult = <Row>(result: { rows: Row[]; affectedRows?: number }): QueryResult<Row> => ({
    rows: result.rows,
    rowCount: result.affectedRows || result.rows.length,
  });

  return {
    kind: 'pglite',
    query: async <Row>(text: string, params?: unknown[]) =>
      toResult(await db.query<Row>(text, params)),
    async exec(sql) {
      await db.exec(sql);
    },
    transaction: (work) =>
      db.transaction(async (inner) => {
        const tx: Queryable = {
          query: async <Row>(text: string, params?: unknown[]) =>
            toResult(await inner.query<Row>(text, params)),
          exec: async (sql: string) => {
            await inner.exec(sql);
          },
        };
        return work(tx);
      }),
    close: () => db.close(),
  };
}
