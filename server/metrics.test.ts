import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../tests/support/test-database.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import type { Database } from './db/index.js';
import { ensureInstallation } from './installation.js';
import { createLogger } from './log.js';
import {
  createMetrics,
  httpMetrics,
  metricsRoutes,
  UNKNOWN_LABEL,
  type Metrics,
} from './metrics.js';
import {
  ingestMetricsObserver,
  instrumentRegistry,
  registryCatalog,
  type PackCatalog,
} from './metrics-observers.js';
import type { ModelRegistry, ModelVersion } from './registry/types.js';

const log = createLogger('silent');

/** The value of one sample in the exposition text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** A tiny app shaped like the real one: middleware, a mounted sub-app with a parameter, a 404. */
function appWith(metrics: Metrics): Hono {
  const app = new Hono();
  app.use('*', httpMetrics(metrics));
  const api = new Hono();
  api.get('/things/:id', (c) => c.json({ id: c.req.param('id') }));
  api.get('/broken', () => {
    throw new Error('boom');
  });
  app.route('/api', api);
  app.route('/', metricsRoutes(metrics));
  app.onError((_error, c) => c.text('failed', 500));
  return app;
}

describe('GET /metrics', () => {
  it('answers in the Prometheus text format with process metrics and every Fishlens metric', async () => {
    const metrics = createMetrics();
    const res = await appWith(metrics).request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'http_request_duration_seconds',
      'fishlens_predictions_ingested_total',
      'fishlens_predictions_duplicate_total',
      'fishlens_predictions_rejected_total',
      'fishlens_predictions_by_species_total',
      'fishlens_predictions_not_sure_total',
      'fishlens_registry_lookups_total',
      'fishlens_registry_lookup_failures_total',
      'fishlens_registry_lookup_duration_seconds',
      'fishlens_db_pool_clients',
      'fishlens_db_pool_waiting_requests',
    ]) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
  });

  it('keeps two apps’ metrics apart (one registry each, not the global one)', async () => {
    const a = createMetrics({ processMetrics: false });
    const b = createMetrics({ processMetrics: false });
    a.predictionsDuplicate.inc(3);
    expect(sample(await a.render(), 'fishlens_predictions_duplicate_total')).toBe(3);
    expect(sample(await b.render(), 'fishlens_predictions_duplicate_total')).toBe(0);
  });
});

describe('HTTP request duration', () => {
  it('is labelled by the matched route pattern, never by the raw URL', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const app = appWith(metrics);
    for (const id of ['1', '22', 'secret-looking-id']) await app.request(`/api/things/${id}`);
    const text = await metrics.render();
    expect(
      sample(
        text,
        'http_request_duration_seconds_count{method="GET",route="/api/things/:id",status="200"}',
      ),
    ).toBe(3);
    expect(text).not.toContain('secret-looking-id');
  });

  it('puts every unknown URL into one "_unmatched" series with status 404', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const app = appWith(metrics);
    for (let i = 0; i < 5; i++) await app.request(`/nothing/here/${i}`);
    const text = await metrics.render();
    expect(
      sample(
        text,
        'http_request_duration_seconds_count{method="GET",route="_unmatched",status="404"}',
      ),
    ).toBe(5);
    expect(text).not.toContain('/nothing/here');
  });

  it('records the status the error handler answered when a handler throws', async () => {
    const metrics = createMetrics({ processMetrics: false });
    await appWith(metrics).request('/api/broken');
    const text = await metrics.render();
    expect(
      sample(
        text,
        'http_request_duration_seconds_count{method="GET",route="/api/broken",status="500"}',
      ),
    ).toBe(1);
  });
});

describe('database pool gauges', () => {
  it('report total, idle and waiting from the database’s stats() at scrape time', async () => {
    const metrics = createMetrics({ processMetrics: false });
    let stats = { total: 4, idle: 1, waiting: 2 };
    metrics.observeDatabase({ stats: () => stats } as unknown as Database);
    let text = await metrics.render();
    expect(sample(text, 'fishlens_db_pool_clients{state="total"}')).toBe(4);
    expect(sample(text, 'fishlens_db_pool_clients{state="idle"}')).toBe(1);
    expect(sample(text, 'fishlens_db_pool_waiting_requests')).toBe(2);
    stats = { total: 6, idle: 6, waiting: 0 };
    text = await metrics.render();
    expect(sample(text, 'fishlens_db_pool_clients{state="total"}')).toBe(6);
    expect(sample(text, 'fishlens_db_pool_waiting_requests')).toBe(0);
  });

  it('report nothing for a database without a pool (PGlite)', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.observeDatabase({ kind: 'pglite' } as unknown as Database);
    expect(await metrics.render()).not.toMatch(/^fishlens_db_pool_clients\{/m);
  });
});

/** A catalog that knows model `fish` versions 3 and 4 with these labels, and nothing else. */
const catalog: PackCatalog = {
  labelsOf: (name, version) =>
    Promise.resolve(
      name === 'fish' && (version === 3 || version === 4)
        ? new Set(['perca_fluviatilis', 'esox_lucius'])
        : null,
    ),
};

describe('the ingest observer', () => {
  it('counts stored predictions by model version and species, not-sure ones, duplicates and rejections', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const observer = ingestMetricsObserver(metrics, catalog);
    const row = {
      modelName: 'fish',
      modelVersion: 3,
      topLabel: 'perca_fluviatilis',
      notSure: false,
    };
    await observer.inserted([
      row,
      row,
      { ...row, topLabel: 'esox_lucius', notSure: true },
      { ...row, modelVersion: 4 },
    ]);
    observer.duplicates(2);
    observer.rejected(1, 'invalid');
    observer.rejected(1, 'unauthorized');
    const text = await metrics.render();
    expect(sample(text, 'fishlens_predictions_ingested_total{model="fish",version="3"}')).toBe(3);
    expect(sample(text, 'fishlens_predictions_ingested_total{model="fish",version="4"}')).toBe(1);
    expect(
      sample(
        text,
        'fishlens_predictions_by_species_total{model="fish",version="3",species="perca_fluviatilis"}',
      ),
    ).toBe(2);
    expect(
      sample(
        text,
        'fishlens_predictions_by_species_total{model="fish",version="3",species="esox_lucius"}',
      ),
    ).toBe(1);
    expect(sample(text, 'fishlens_predictions_not_sure_total{model="fish",version="3"}')).toBe(1);
    expect(sample(text, 'fishlens_predictions_duplicate_total')).toBe(2);
    expect(sample(text, 'fishlens_predictions_rejected_total{reason="invalid"}')).toBe(1);
    expect(sample(text, 'fishlens_predictions_rejected_total{reason="unauthorized"}')).toBe(1);
  });

  it('takes label values only from the registry: junk names from a device cannot crowd out real versions', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const observer = ingestMetricsObserver(metrics, catalog);
    const junk = Array.from({ length: 2_100 }, (_, i) => ({
      modelName: `junk-${i}`,
      modelVersion: 1 + i,
      topLabel: `species-${i}`,
      notSure: true,
    }));
    await observer.inserted(junk);
    await observer.inserted([
      { modelName: 'fish', modelVersion: 3, topLabel: 'perca_fluviatilis', notSure: true },
      { modelName: 'fish', modelVersion: 3, topLabel: 'made_up_species', notSure: false },
    ]);
    const text = await metrics.render();
    const unknown = `model="${UNKNOWN_LABEL}",version="${UNKNOWN_LABEL}"`;
    expect(sample(text, `fishlens_predictions_ingested_total{${unknown}}`)).toBe(2_100);
    expect(sample(text, `fishlens_predictions_not_sure_total{${unknown}}`)).toBe(2_100);
    // The real version keeps its own series, so the not-sure rate per version stays visible.
    expect(sample(text, 'fishlens_predictions_ingested_total{model="fish",version="3"}')).toBe(2);
    expect(sample(text, 'fishlens_predictions_not_sure_total{model="fish",version="3"}')).toBe(1);
    expect(
      sample(
        text,
        `fishlens_predictions_by_species_total{model="fish",version="3",species="${UNKNOWN_LABEL}"}`,
      ),
    ).toBe(1);
    expect(text.match(/^fishlens_predictions_by_species_total\{/gm)).toHaveLength(3);
  });

  it('asks the registry once per version, and again about a missing one only after a while', async () => {
    let asked = 0;
    let clock = 0;
    const cached = registryCatalog(
      {
        getVersion: (name, version) => {
          asked += 1;
          return Promise.resolve(
            name === 'fish' && version === 1
              ? ({ metadata: { labels: [{ id: 'pike' }] } } as unknown as ModelVersion)
              : null,
          );
        },
      },
      { retryMs: 1_000, now: () => clock },
    );
    expect(await cached.labelsOf('fish', 1)).toEqual(new Set(['pike']));
    expect(await cached.labelsOf('fish', 1)).toEqual(new Set(['pike']));
    expect(await cached.labelsOf('fish', 2)).toBeNull();
    expect(await cached.labelsOf('fish', 2)).toBeNull();
    expect(asked).toBe(2);
    clock = 1_001;
    await cached.labelsOf('fish', 2);
    expect(asked).toBe(3);
  });
});

describe('the instrumented registry', () => {
  const version = { name: 'fish', version: 1 } as ModelVersion;
  const registry = (getVersion: ModelRegistry['getVersion']): ModelRegistry =>
    ({
      kind: 'builtin',
      description: 'test',
      getVersion,
      publish: () => Promise.resolve({ created: true, version }),
    }) as unknown as ModelRegistry;

  it('counts look-ups, and counts a thrown error as a failure while passing it on', async () => {
    const metrics = createMetrics({ processMetrics: false });
    let fail = false;
    const wrapped = instrumentRegistry(
      registry(() =>
        fail ? Promise.reject(new Error('MLflow timed out')) : Promise.resolve(null),
      ),
      metrics,
    );
    expect(await wrapped.getVersion('fish', 1)).toBeNull();
    fail = true;
    await expect(wrapped.getVersion('fish', 1)).rejects.toThrow('MLflow timed out');
    const text = await metrics.render();
    const labels = '{registry="builtin",operation="getVersion"}';
    expect(sample(text, `fishlens_registry_lookups_total${labels}`)).toBe(2);
    expect(sample(text, `fishlens_registry_lookup_failures_total${labels}`)).toBe(1);
    expect(sample(text, `fishlens_registry_lookup_duration_seconds_count${labels}`)).toBe(2);
  });

  it('passes publishing through without counting it as a look-up', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const wrapped = instrumentRegistry(
      registry(() => Promise.resolve(null)),
      metrics,
    );
    await wrapped.publish({} as never, { name: 'fish' });
    expect(await metrics.render()).not.toMatch(/^fishlens_registry_lookups_total\{/m);
  });
});

describe('the app’s metrics', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(() => test.drop());

  /** A registry that has published version 7 of `fish` with the labels pike and perch. */
  const registry = {
    kind: 'builtin',
    description: 'test',
    getVersion: (name: string, version: number) =>
      Promise.resolve(
        name === 'fish' && version === 7
          ? ({ name, version, metadata: { labels: [{ id: 'pike' }, { id: 'perch' }] } } as never)
          : null,
      ),
  } as unknown as ModelRegistry;

  it('are never on the app’s own port, whatever METRICS_PORT says', async () => {
    const installation = await ensureInstallation(test.db);
    for (const METRICS_PORT of [undefined, '9464', 'off']) {
      const app = createApp({
        config: loadConfig(METRICS_PORT ? { METRICS_PORT } : {}),
        db: test.db,
        log,
        installation,
      });
      expect((await app.request('/metrics')).status).toBe(404);
    }
    expect(loadConfig({}).METRICS_PORT).toBe(9464);
  });

  it('show the requests the app answered and the real pool', async () => {
    const installation = await ensureInstallation(test.db);
    const metrics = createMetrics();
    const app = createApp({ config: loadConfig({}), db: test.db, log, installation, metrics });
    await app.request('/healthz');
    const res = await metricsRoutes(metrics).request('/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(
      sample(
        text,
        'http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}',
      ),
    ).toBe(1);
    if (test.db.kind === 'postgres')
      expect(sample(text, 'fishlens_db_pool_clients{state="total"}')).toBeGreaterThan(0);
  });

  it('count predictions ingested through the real routes, by model version, species and not-sure', async () => {
    const installation = await ensureInstallation(test.db);
    const metrics = createMetrics({ processMetrics: false });
    const app = createApp({
      config: loadConfig({}),
      db: test.db,
      log,
      installation,
      metrics,
      registry,
    });
    const device = (await (await app.request('/api/v1/devices', { method: 'POST' })).json()) as {
      token: string;
    };
    const prediction = (label: string, notSure: boolean) => ({
      id: randomUUID(),
      createdAt: new Date(Date.now() - 60_000).toISOString(),
      model: { name: 'fish', version: 7 },
      top: [{ label, probability: notSure ? 0.3 : 0.9 }],
      notSure,
      latencyMs: 12,
      backend: 'wasm',
      appVersion: '0.1.0',
    });
    const batch = [prediction('pike', false), prediction('pike', true), prediction('perch', false)];
    const send = (predictions: unknown[]) =>
      app.request('/api/v1/predictions/batch', {
        method: 'POST',
        headers: { Authorization: `Bearer ${device.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ predictions }),
      });
    expect((await send(batch)).status).toBe(200);
    expect((await send([batch[0], { id: 'not-a-prediction' }])).status).toBe(200);
    // Ingest does not wait for the counting (registry look-ups), so wait for the counts.
    await expect
      .poll(async () =>
        sample(
          await metrics.render(),
          'fishlens_predictions_ingested_total{model="fish",version="7"}',
        ),
      )
      .toBe(3);
    const text = await metrics.render();
    expect(
      sample(
        text,
        'fishlens_predictions_by_species_total{model="fish",version="7",species="pike"}',
      ),
    ).toBe(2);
    expect(sample(text, 'fishlens_predictions_not_sure_total{model="fish",version="7"}')).toBe(1);
    expect(sample(text, 'fishlens_predictions_duplicate_total')).toBe(1);
    expect(sample(text, 'fishlens_predictions_rejected_total{reason="invalid"}')).toBe(1);
    expect(
      sample(
        text,
        'http_request_duration_seconds_count{method="POST",route="/api/v1/predictions/batch",status="200"}',
      ),
    ).toBe(2);
  });
});
