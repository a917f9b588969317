/** Test helpers for the ingest routes: a small app over a real database, with a spy and a clock. */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { PredictionPayload } from '../../../shared/api.js';
import type { Database } from '../../db/index.js';
import { createLogger } from '../../log.js';
import { problemErrorHandler, problemNotFound } from '../../problem.js';
import { mountIngestRoutes } from '../../routes/ingest.js';
import { createPredictionStore, type PredictionStore } from '../store.js';

/** A valid prediction as a device sends it; `overrides` replace top-level fields. */
export function makePrediction(overrides: Partial<PredictionPayload> = {}): PredictionPayload {
  return {
    id: randomUUID(),
    createdAt: new Date(Date.now() - 60_000).toISOString(),
    model: { name: 'fish', version: 3 },
    top: [
      { label: 'bream', probability: 0.8 },
      { label: 'perch', probability: 0.15 },
      { label: 'burbot', probability: 0.05 },
    ],
    notSure: false,
    latencyMs: 42.5,
    backend: 'webgl',
    appVersion: '0.1.0',
    ...overrides,
  };
}

export interface IngestTestApp {
  app: Hono;
  /** How many times the handler reached the database insert. */
  insertCalls(): number;
  /** Moves the injected clock forward. */
  advance(ms: number): void;
  /** Registers a device through the API and returns its bearer header. */
  registerDevice(): Promise<{ deviceId: string; token: string; auth: Record<string, string> }>;
}

/** The ingest routes on a fresh Hono app with the real error handler, over `db`. */
export function ingestTestApp(
  db: Database,
  limits: {
    maxBodyBytes?: number;
    perMinute?: number;
    burst?: number;
    registrationsPerMinute?: number;
    unknownTokensPerMinute?: number;
  } = {},
): IngestTestApp {
  let now = Date.now();
  let inserts = 0;
  const real = createPredictionStore(db);
  const store: PredictionStore = {
    ...real,
    insertPredictions: (deviceId, rows) => {
      inserts += 1;
      return real.insertPredictions(deviceId, rows);
    },
  };
  const app = new Hono();
  app.onError(problemErrorHandler(createLogger('silent')));
  app.notFound(problemNotFound);
  const api = new Hono();
  mountIngestRoutes(api, {
    db,
    store,
    now: () => now,
    config: {
      INGEST_MAX_BODY_BYTES: limits.maxBodyBytes ?? 1_048_576,
      INGEST_RATE_PER_MINUTE: limits.perMinute ?? 1_000_000,
      INGEST_RATE_BURST: limits.burst ?? 1_000_000,
      DEVICE_REGISTRATIONS_PER_MINUTE: limits.registrationsPerMinute ?? 1_000_000,
      UNKNOWN_TOKENS_PER_MINUTE: limits.unknownTokensPerMinute ?? 1_000_000,
    },
  });
  app.route('/api/v1', api);
  return {
    app,
    insertCalls: () => inserts,
    advance: (ms) => {
      now += ms;
    },
    async registerDevice() {
      const res = await app.request('/api/v1/devices', { method: 'POST' });
      if (res.status !== 201) throw new Error(`device registration answered ${res.status}`);
      const body = (await res.json()) as { deviceId: string; token: string };
      return { ...body, auth: { Authorization: `Bearer ${body.token}` } };
    },
  };
}

/** POSTs `body` (an object is JSON-encoded) as JSON with `headers`. */
export function postJson(
  app: Hono,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}
