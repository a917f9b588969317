import type { Config } from '../config.js';
import type { Database } from './database.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import { join } from 'node:path';

import { DatabaseUnavailableError } from './database.js';

export type { Database, Queryable } from './database.js';
export { DatabaseReplacedError } from './database.js';

/** PostgreSQL through `pg` when DATABASE_URL is set, else the embedded PGlite under DATA_DIR/pglite. */
export async function openDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR' | 'DATABASE_POOL_MAX'>,
): Promise<Database> {
  if (config.DATABASE_URL) {
    return openPostgres(config.DATABASE_URL, { poolMax: config.DATABASE_POOL_MAX });
  }
  return openPglite(pgliteFolder(config.DATA_DIR));
}

/** Where the embedded database keeps its files inside DATA_DIR. */
export function pgliteFolder(dataDir: string): string {
  return join(dataDir, 'pglite');
}

/**
 * Resolves once `probe` (by default a trivial query) has answered, or throws; used by /readyz.
 * A database that does not answer within `timeoutMs` counts as unreachable.
 */
export async function pingDatabase(
  db: Database,
  timeoutMs = 2_000,
  probe: () => Promise<unknown> = () => db.query('SELECT 1'),
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new DatabaseUnavailableError(`the database did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([probe(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
