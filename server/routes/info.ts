import { Hono } from 'hono';
import type { Database } from '../db/index.js';
import type { Installation } from '../installation.js';

export interface ServerInfo {
  name: 'fishlens';
  version: string;
  database: Database['kind'];
  installationId: string;
  firstStartedAt: string;
  startedAt: string;
}

/** `GET /info`: what this server is (version, database kind, installation); no secrets. */
export function infoRoutes(info: {
  version: string;
  db: Database;
  installation: Installation;
  startedAt: Date;
}): Hono {
  const app = new Hono();
  app.get('/info', (c) => {
    c.header('Cache-Control', 'no-store');
    const body: ServerInfo = {
      name: 'fishlens',
      version: info.version,
      database: info.db.kind,
      installationId: info.installation.id,
      firstStartedAt: info.installation.firstStartedAt,
      startedAt: info.startedAt.toISOString(),
    };
    return c.json(body);
  });
  return app;
}
