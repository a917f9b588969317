/**
 * Whether the data a write goes to is still the data this server started with. Phones delete
 * what the server acknowledges, so a write into a data folder that was deleted (PGlite keeps
 * answering from cached pages) or into a database that was swapped for an empty one must not be
 * acknowledged: it would be gone on restart, or kept apart from everything stored before.
 *
 * Two checks, both cheap enough for every write: the embedded database's folder has the same
 * file identity (device and inode) as at start, and the database holds this installation's id
 * (app_settings, see installation.ts), read in the write's own transaction.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseReplacedError, type Queryable } from './db/index.js';
import type { Installation } from './installation.js';

/** Checks made before and inside every acknowledged write, and by /readyz. */
export interface DataIdentity {
  readonly installationId: string;
  /** Throws DatabaseReplacedError when the embedded database's folder is gone or replaced. */
  checkFolder(): Promise<void>;
  /** Throws DatabaseReplacedError unless `db` (a transaction, ideally) holds this installation. */
  checkDatabase(db: Queryable): Promise<void>;
}

// PG_VERSION is written once when the cluster is made; the folder itself can be emptied or
// swapped while a file handle keeps PGlite going, so both are compared.
const FOLDER_FILES = ['.', 'PG_VERSION', 'base'];

// SQLSTATE 42P01 undefined_table, 3D000 invalid_catalog_name: the schema or database is gone.
const GONE_SQLSTATE = new Set(['42P01', '3D000']);

async function fileIds(folder: string): Promise<string[]> {
  return Promise.all(
    FOLDER_FILES.map(async (name) => {
      const s = await stat(join(folder, name), { bigint: true });
      return `${s.dev}:${s.ino}`;
    }),
  );
}

/**
 * Takes the identity of the data as it is now, right after start-up: the installation, and for
 * the embedded database (PGlite) its folder.
 */
export async function captureDataIdentity(
  installation: Installation,
  pgliteFolder?: string,
): Promise<DataIdentity> {
  const expected = pgliteFolder ? await fileIds(pgliteFolder) : undefined;
  return {
    installationId: installation.id,
    async checkFolder() {
      if (!pgliteFolder || !expected) return;
      const now = await fileIds(pgliteFolder).catch((error: unknown) => {
        throw new DatabaseReplacedError(
          `the embedded database folder ${pgliteFolder} is gone (${(error as Error).message})`,
          { cause: error },
        );
      });
      if (now.some((id, i) => id !== expected[i])) {
        throw new DatabaseReplacedError(
          `the embedded database folder ${pgliteFolder} was replaced since the server started`,
        );
      }
    },
    async checkDatabase(db) {
      let found: string | undefined;
      try {
        const { rows } = await db.query<{ id: string }>(
          `SELECT value->>'id' AS id FROM app_settings WHERE key = 'installation'`,
        );
        found = rows[0]?.id;
      } catch (error) {
        if (GONE_SQLSTATE.has((error as { code?: string }).code ?? '')) {
          throw new DatabaseReplacedError(
            `the database lost its Fishlens tables: ${(error as Error).message}`,
            { cause: error },
          );
        }
        throw error;
      }
      if (found !== installation.id) {
        throw new DatabaseReplacedError(
          `the database holds installation ${found ?? '(none)'}, but this server started on ${installation.id}`,
        );
      }
    },
  };
}

/** Runs `work` in a transaction that commits only into the data this server started with. */
export async function withinOwnData<T>(
  db: { transaction<R>(work: (tx: Queryable) => Promise<R>): Promise<R> },
  identity: DataIdentity | undefined,
  work: (tx: Queryable) => Promise<T>,
): Promise<T> {
  if (!identity) return db.transaction(work);
  await identity.checkFolder();
  const result = await db.transaction(async (tx) => {
    await identity.checkDatabase(tx);
    return work(tx);
  });
  // A folder deleted during the transaction: the commit went to files that are gone.
  await identity.checkFolder();
  return result;
}
