/**
 * Prometheus metrics: HTTP latency by route pattern, the database pool, Node process metrics,
 * and the domain counters of ingest and the model registry. Everything lives in one Registry
 * per `createMetrics()` call (never prom-client's global one), so tests and several apps in one
 * process do not share or double-register metrics.
 *
 * Alerting and dashboards read, for example:
 * - not-sure rate per model version:
 *   `rate(fishlens_predictions_not_sure_total[1h]) / rate(fishlens_predictions_ingested_total[1h])`
 * - registry failure ratio:
 *   `rate(fishlens_registry_lookup_failures_total[5m]) / rate(fishlens_registry_lookups_total[5m])`
 */
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { matchedRoutes } from 'hono/route';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from './db/index.js';

/**
 * The label value for a model, version or species the model registry does not know: phones
 * name them, so only values the registry vouches for become label values (metrics-observers.ts).
 */
export const UNKNOWN_LABEL = '_unknown';
/** The route label of requests that no route handled (404s), so unknown URLs never become labels. */
export const UNMATCHED_ROUTE = '_unmatched';

/** The metrics of one app, with the counters other modules increment. */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly predictionsIngested: Counter<'model' | 'version'>;
  readonly predictionsDuplicate: Counter;
  readonly predictionsRejected: Counter<'reason'>;
  readonly predictionsBySpecies: Counter<'model' | 'version' | 'species'>;
  readonly predictionsNotSure: Counter<'model' | 'version'>;
  readonly registryLookups: Counter<'registry' | 'operation'>;
  readonly registryLookupFailures: Counter<'registry' | 'operation'>;
  readonly registryLookupDuration: Histogram<'registry' | 'operation'>;
  readonly cspViolations: Counter<'directive'>;
  /** Reports this database's pool (when it has one) at every scrape. */
  observeDatabase(db: Database): void;
  /** The exposition text (Prometheus text format 0.0.4). */
  render(): Promise<string>;
}

/** Creates a fresh registry with every Fishlens metric and the default Node process metrics. */
export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const databases: Database[] = [];

  const poolStats = () => databases.flatMap((db) => db.stats?.() ?? []);
  new Gauge({
    name: 'fishlens_db_pool_clients',
    help: 'PostgreSQL pool connections, by state (total, idle).',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const stats = poolStats();
      this.reset();
      if (stats.length === 0) return; // PGlite has no pool: report nothing rather than zeros.
      this.set(
        { state: 'total' },
        stats.reduce((sum, s) => sum + s.total, 0),
      );
      this.set(
        { state: 'idle' },
        stats.reduce((sum, s) => sum + s.idle, 0),
      );
    },
  });
  new Gauge({
    name: 'fishlens_db_pool_waiting_requests',
    help: 'Queries waiting for a free PostgreSQL pool connection.',
    registers,
    collect() {
      this.set(poolStats().reduce((sum, s) => sum + s.waiting, 0));
    },
  });

  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    predictionsIngested: new Counter({
      name: 'fishlens_predictions_ingested_total',
      help: 'Predictions stored by ingest, by model name and version.',
      labelNames: ['model', 'version'] as const,
      registers,
    }),
    predictionsDuplicate: new Counter({
      name: 'fishlens_predictions_duplicate_total',
      help: 'Predictions sent again (same id) and skipped by ingest.',
      registers,
    }),
    predictionsRejected: new Counter({
      name: 'fishlens_predictions_rejected_total',
      help: 'Predictions or ingest requests refused, by reason.',
      labelNames: ['reason'] as const,
      registers,
    }),
    predictionsBySpecies: new Counter({
      name: 'fishlens_predictions_by_species_total',
      help: 'Stored predictions by model version and top species label.',
      labelNames: ['model', 'version', 'species'] as const,
      registers,
    }),
    predictionsNotSure: new Counter({
      name: 'fishlens_predictions_not_sure_total',
      help: 'Stored predictions the app showed as "not sure", by model version.',
      labelNames: ['model', 'version'] as const,
      registers,
    }),
    registryLookups: new Counter({
      name: 'fishlens_registry_lookups_total',
      help: 'Model registry look-ups, by registry kind and operation.',
      labelNames: ['registry', 'operation'] as const,
      registers,
    }),
    registryLookupFailures: new Counter({
      name: 'fishlens_registry_lookup_failures_total',
      help: 'Model registry look-ups that threw (unreachable, timed out, bad answer).',
      labelNames: ['registry', 'operation'] as const,
      registers,
    }),
    registryLookupDuration: new Histogram({
      name: 'fishlens_registry_lookup_duration_seconds',
      help: 'Time of model registry look-ups, by registry kind and operation.',
      labelNames: ['registry', 'operation'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    cspViolations: new Counter({
      name: 'fishlens_csp_violations_total',
      help: 'Content-Security-Policy violations browsers reported, by directive.',
      labelNames: ['directive'] as const,
      registers,
    }),
    observeDatabase(db) {
      if (!databases.includes(db)) databases.push(db);
    },
    render: () => registry.metrics(),
  };
}

/** The route pattern that answered (`/api/v1/models/:name`), never the raw URL, to bound label values. */
export function routePattern(c: Context): string {
  const route = matchedRoutes(c)[c.req.routeIndex];
  // Only wildcard middleware (`use('*')`, `all('/api/*')` fallbacks) ran: nothing handled the URL.
  if (!route || (route.method === 'ALL' && c.res.status === 404)) return UNMATCHED_ROUTE;
  return route.path;
}

/** Middleware that observes every request's duration by method, route pattern and status. */
export function httpMetrics(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const end = metrics.httpRequestDuration.startTimer();
    try {
      await next();
    } finally {
      end({ method: c.req.method, route: routePattern(c), status: String(c.res.status) });
    }
  };
}

/** `GET /metrics` in the Prometheus text format. */
export function metricsRoutes(metrics: Metrics): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    const body = await metrics.render();
    return c.body(body, 200, {
      'Content-Type': metrics.registry.contentType,
      'Cache-Control': 'no-store',
    });
  });
  return app;
}
