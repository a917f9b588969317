import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { Config } from './config.js';
import type { Database } from './db/index.js';
import type { Logger } from './log.js';
import { problemErrorHandler, problemNotFound } from './problem.js';
import { healthRoutes } from './routes/health.js';
import { staticRoutes } from './static.js';

/** What the HTTP app needs from the outside world; tests pass their own. */
export interface AppDeps {
  config: Config;
  db: Database;
  log: Logger;
  /** Folder of the built PWA (dist/client); omitted in API-only tests. */
  clientDir?: string;
}

/** The whole HTTP surface: health, the API under /api/v1, and the PWA's static files. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use('*', requestId());
  app.onError(problemErrorHandler(deps.log));
  app.notFound(problemNotFound);

  app.route('/', healthRoutes(deps.db));

  const api = new Hono();
  app.route('/api/v1', api);
  // Unknown API paths answer problem+json, never the app shell.
  app.all('/api/*', (c) => problemNotFound(c));

  if (deps.clientDir) app.route('/', staticRoutes(deps.clientDir));
  return app;
}
