import { Hono } from 'hono';
import type { DataIdentity } from '../data-identity.js';
import { DatabaseReplacedError, pingDatabase, type Database } from '../db/index.js';
import type { Logger } from '../log.js';
import { databaseProblem } from '../problem.js';

const NOT_READY = {
  replaced:
    'Not ready: the data folder or database is not the one this server started with, so it takes no data. Check DATA_DIR or DATABASE_URL, restore the data if it was lost, and restart the server.',
  unreachable:
    'Not ready: the database does not answer. Check that it runs and that DATABASE_URL is right.',
};

/**
 * `/healthz`: the process answers. `/readyz`: the database answers and is still the data the
 * server started with (data-identity.ts); else 503, so load balancers send writes elsewhere.
 * The reason goes to the log; the body says only which check fails.
 */
export function healthRoutes(deps: { db: Database; log: Logger; identity?: DataIdentity }): Hono {
  const { db, identity } = deps;
  const app = new Hono();
  app.get('/healthz', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' });
  });
  app.get('/readyz', async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      await pingDatabase(db, 2_000, async () => {
        if (!identity) return db.query('SELECT 1');
        await identity.checkFolder();
        return identity.checkDatabase(db);
      });
      return c.json({ status: 'ok', database: db.kind });
    } catch (error) {
      deps.log.warn({ err: error, requestId: c.get('requestId') }, 'not ready');
      const failing = error instanceof DatabaseReplacedError ? 'replaced' : 'unreachable';
      return databaseProblem(c, error, NOT_READY, {
        database: db.kind,
        checks: { database: failing },
      });
    }
  });
  return app;
}
