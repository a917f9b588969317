import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import type { DeviceResponse } from '../../shared/api.js';
import type { RateLimiter } from '../ingest/rate-limit.js';
import type { PredictionStore } from '../ingest/store.js';
import { httpProblem } from '../problem.js';

/**
 * The client's address for the registration limit: the first X-Forwarded-For hop (behind the
 * Ingress), else the socket's peer, else one shared bucket (in-process tests have no socket).
 */
function clientAddress(c: Context): string {
  const forwarded = c.req.header('X-Forwarded-For')?.split(',')[0]?.trim();
  if (forwarded) return forwarded;
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * `POST /devices`: registers a device and answers `{deviceId, token}` once; the server keeps only
 * the token's sha256. Rate-limited per client address so a loop cannot fill the table.
 */
export function deviceRoutes(deps: { store: PredictionStore; limiter: RateLimiter }): Hono {
  const app = new Hono();
  app.post('/devices', async (c) => {
    const verdict = deps.limiter.take(clientAddress(c));
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
