import { Hono } from 'hono';
import type { DeviceResponse } from '../../shared/api.js';
import { clientAddress, type TrustProxy } from '../client-address.js';
import type { RateLimiter } from '../ingest/rate-limit.js';
import type { PredictionStore } from '../ingest/store.js';
import { httpProblem } from '../problem.js';

/**
 * `POST /devices`: registers a device and answers `{deviceId, token}` once; the server keeps only
 * the token's sha256. Rate-limited per client address (see client-address.ts for when
 * X-Forwarded-For counts) so a loop cannot fill the table.
 */
export function deviceRoutes(deps: {
  store: PredictionStore;
  limiter: RateLimiter;
  trustProxy: TrustProxy | undefined;
}): Hono {
  const app = new Hono();
  app.post('/devices', async (c) => {
    const verdict = await deps.limiter.take(clientAddress(c, deps.trustProxy));
    if (!verdict.ok) {
      throw httpProblem(
        429,
        'Too many device registrations from this address; wait as long as Retry-After says, then try again.',
        {},
        { 'Retry-After': String(verdict.retryAfterSeconds) },
      );
    }
    const device = await deps.store.registerDevice();
    const body: DeviceResponse = device;
    c.header('Cache-Control', 'no-store');
    return c.json(body, 201);
  });
  return app;
}
