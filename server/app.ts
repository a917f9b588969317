import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { parseTrustProxy } from './client-address.js';
import type { Config } from './config.js';
import type { DataIdentity } from './data-identity.js';
import type { Database } from './db/index.js';
import type { Logger } from './log.js';
import { problemErrorHandler, problemNotFound } from './problem.js';
import type { Installation } from './installation.js';
import { httpMetrics, createMetrics, type Metrics } from './metrics.js';
import { ingestMetricsObserver, instrumentRegistry, registryCatalog } from './metrics-observers.js';
import { requestLog } from './request-log.js';
import { healthRoutes } from './routes/health.js';
import { infoRoutes } from './routes/info.js';
import { mountIngestRoutes } from './routes/ingest.js';
import { modelRoutes } from './routes/models.js';
import type { ModelRegistry } from './registry/types.js';
import { APP_VERSION } from './version.js';
import { openApiRoutes } from './openapi.js';
import { cspReportRoutes } from './routes/csp-reports.js';
import { statsRoutes } from './routes/stats.js';
import { securityHeaders } from './security-headers.js';
import { staticRoutes } from './static.js';

const STARTED_AT = new Date();

/** What the HTTP app needs from the outside world; tests pass their own. */
export interface AppDeps {
  config: Config;
  db: Database;
  log: Logger;
  /** This installation's identity (see installation.ts). */
  installation: Installation;
  /** Checks that writes go to the data the server started with; without it nothing is checked. */
  identity?: DataIdentity;
  /** Folder of the built PWA (dist/client); omitted in API-only tests. */
  clientDir?: string;
  /** The model registry (built-in or MLflow); the /api/v1/models routes exist only with one. */
  registry?: ModelRegistry;
  /** Prometheus metrics; a fresh set when omitted. */
  metrics?: Metrics;
}

/** The whole HTTP surface: health, the API under /api/v1, and the PWA's static files. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use('*', requestId());
  app.use('*', securityHeaders());
  const metrics = deps.metrics ?? createMetrics();
  metrics.observeDatabase(deps.db);
  app.use('*', requestLog(deps.log));
  app.use('*', httpMetrics(metrics));
  app.onError(problemErrorHandler(deps.log));
  app.notFound(problemNotFound);

  app.route('/', healthRoutes(deps));
  // /metrics is never here: main.ts serves it on METRICS_PORT only, out of the Ingress's reach.

  const api = new Hono();
  api.route(
    '/',
    infoRoutes({
      version: APP_VERSION,
      db: deps.db,
      installation: deps.installation,
      startedAt: STARTED_AT,
    }),
  );
  if (deps.registry) {
    api.route(
      '/',
      modelRoutes({
        registry: instrumentRegistry(deps.registry, metrics),
        adminToken: deps.config.ADMIN_TOKEN,
        log: deps.log,
      }),
    );
  }
  const trustProxy = parseTrustProxy(deps.config.TRUST_PROXY);
  mountIngestRoutes(api, {
    ...deps,
    ...(trustProxy ? { trustProxy } : {}),
    observer: ingestMetricsObserver(
      metrics,
      deps.registry ? registryCatalog(deps.registry) : undefined,
      deps.log,
    ),
  });
  api.route('/', statsRoutes({ db: deps.db, adminToken: deps.config.ADMIN_TOKEN }));
  api.route(
    '/',
    cspReportRoutes({
      log: deps.log,
      trustProxy,
      onViolation: (directive) => metrics.cspViolations.inc({ directive }),
    }),
  );
  api.route('/', openApiRoutes());
  // Add API routes to `api` above this line: Hono copies a sub-app's routes when it is mounted.
  app.route('/api/v1', api);
  // Unknown API paths answer problem+json, never the app shell.
  app.all('/api/*', (c) => problemNotFound(c));

  if (deps.clientDir) app.route('/', staticRoutes(deps.clientDir));
  return app;
}
