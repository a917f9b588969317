import type { Hono } from 'hono';
import type { TrustProxy } from '../client-address.js';
import type { Config } from '../config.js';
import type { DataIdentity } from '../data-identity.js';
import type { Database } from '../db/index.js';
import { createSharedRateLimiter } from '../ingest/rate-limit.js';
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
      | 'UNKNOWN_TOKENS_PER_MINUTE'
    >;
    db: Database;
    /** Makes writes commit only into the data the server started with (data-identity.ts). */
    identity?: DataIdentity;
    trustProxy?: TrustProxy;
    store?: PredictionStore;
    observer?: IngestObserver;
    now?: () => number;
  },
): void {
  const { config, db } = deps;
  const store = deps.store ?? createPredictionStore(db, deps.identity);
  const clock = deps.now ? { now: deps.now } : {};
  const perMinute = (limit: number) => ({ perMinute: limit, burst: limit, ...clock });
  api.route(
    '/',
    deviceRoutes({
      store,
      trustProxy: deps.trustProxy,
      limiter: createSharedRateLimiter(
        db,
        'devices',
        perMinute(config.DEVICE_REGISTRATIONS_PER_MINUTE),
      ),
    }),
  );
  api.route(
    '/',
    predictionRoutes({
      store,
      trustProxy: deps.trustProxy,
      limiter: createSharedRateLimiter(db, 'ingest', {
        perMinute: config.INGEST_RATE_PER_MINUTE,
        burst: config.INGEST_RATE_BURST,
        ...clock,
      }),
      unknownTokenLimiter: createSharedRateLimiter(
        db,
        'unknown-token',
        perMinute(config.UNKNOWN_TOKENS_PER_MINUTE),
      ),
      maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
      ...clock,
      ...(deps.observer ? { observer: deps.observer } : {}),
    }),
  );
}
