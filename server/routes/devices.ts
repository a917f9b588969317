import { Hono } from 'hono';
import type { DeviceResponse } from '../../shared/api.js';
import type { RateLimiter } from '../ingest/rate-limit.js';
import type { PredictionStore } from '../ingest/store.js';
import { httpProblem } from '../problem.js';

/**
 * `POST /devices`: registers a device and answers `{deviceId, token}` once; the server keeps only
 * the token's sha256. Rate-limited per client address so a loop cannot fill the table.
 */
export function deviceRoutes(deps: {
  store: PredictionStore;
  limiter: RateLimiter;
  clientAddress?: (req: Request) => string;
}): Hono {
  const app = new Hono();
  app.post('/devices', async (c) => {
    const address =
      deps.clientAddress?.(c.req.raw) ??
      c.req.header('X-Forwarded-For')?.split(',')[0]?.trim() ??
      'unknown';
    const verdict = deps.limiter.take(address);
    if (!verdict.ok) {
      throw httpProblem(
        429,
        'Too many device registrations; try again later.',
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
