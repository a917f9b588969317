import { randomUUID } from 'node:crypto';
import type { Queryable } from './db/index.js';

export interface Installation {
  id: string;
  firstStartedAt: string;
}

/**
 * The identity of this installation, made on the first start and kept in the database: it shows
 * which database a server is on, and that data survived a restart.
 */
export async function ensureInstallation(db: Queryable): Promise<Installation> {
  const candidate: Installation = { id: randomUUID(), firstStartedAt: new Date().toISOString() };
  await db.query(
    `INSERT INTO app_settings (key, value) VALUES ('installation', $1::jsonb)
     ON CONFLICT (key) DO NOTHING`,
    [JSON.stringify(candidate)],
  );
  const { rows } = await db.query<{ value: Installation }>(
    `SELECT value FROM app_settings WHERE key = 'installation'`,
  );
  const stored = rows[0]?.value;
  if (!stored) throw new Error('the installation record could not be stored');
  return stored;
}
