import { Hono } from 'hono';
import { pingDatabase, type Database } from '../db/index.js';
import { problem } from '../problem.js';

/** `/healthz`: the process answers. `/readyz`: the database answers too, else 503 with the reason. */
export function healthRoutes(db: Database): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' });
  });
  app.get('/readyz', async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      await pingDatabase(db);
      return c.json({ status: 'ok', database: db.kind });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return problem(c, 503, `The database is not reachable: ${reason}`, {
        database: db.kind,
        checks: { database: 'failing' },
      });
    }
  });
  return app;
}
