import type { Hono } from 'hono';
import type { Config } from '../config.js';
import type { Database } from '../db/index.js';
import { createRateLimiter } from '../ingest/rate-limit.js';
import { createPredictionStore, type PredictionStore } from '../ingest/store.js';
import { deviceRoutes } from './devices.js';
import { predictionRoutes, type IngestObserver } from './predictions.js';

/** Mounts `POST /devices` and `POST /predictions/{batch,feedback}` on the API sub-app. */
export function mountIngestRoutes(
  api: Hono,
  deps: {
    config: Pick<
      Config,
      | 'INGEST_MAX_BODY_BYTES'
      | 'INGEST_RATE_PER_MINUTE'
      | 'INGEST_RATE_BURST'
      | 'DEVICE_REGISTRATIONS_PER_MINUTE'
    >;
    db: Database;
    store?: PredictionStore;
    observer?: IngestObserver;
    now?: () => number;
  },
): void {
  const { config } = deps;
  const store = deps.store ?? createPredictionStore(deps.db);
  api.route(
    '/',
    deviceRoutes({
      store,
      limiter: createRateLimiter({
        perMinute: config.DEVICE_REGISTRATIONS_PER_MINUTE,
        burst: config.DEVICE_REGISTRATIONS_PER_MINUTE,
        ...(deps.now ? { now: deps.now } : {}),
      }),
    }),
  );
  api.route(
    '/',
    predictionRoutes({
      store,
      limiter: createRateLimiter({
        perMinute: config.INGEST_RATE_PER_MINUTE,
        burst: config.INGEST_RATE_BURST,
        ...(deps.now ? { now: deps.now } : {}),
      }),
      maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.observer ? { observer: deps.observer } : {}),
    }),
  );
}
