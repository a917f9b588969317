import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { httpProblem } from '../problem.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Lets a request through only with `Authorization: Bearer <ADMIN_TOKEN>`: 401 without a bearer
 * token, 403 with a wrong one, and 403 for everyone when no ADMIN_TOKEN is configured.
 * Tokens are compared as SHA-256 digests in constant time, so neither content nor length leaks.
 */
export function requireAdmin(adminToken: string | undefined): MiddlewareHandler {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  return async (c, next) => {
    if (!expected) {
      throw httpProblem(
        403,
        'Admin endpoints are disabled on this server: set ADMIN_TOKEN to enable them.',
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('Authorization') ?? '');
    if (!match?.[1]) {
      throw httpProblem(
        401,
        'This is an admin endpoint and needs Authorization: Bearer <ADMIN_TOKEN>.',
        {},
        {
          'WWW-Authenticate': 'Bearer realm="fishlens-admin"',
        },
      );
    }
    if (!timingSafeEqual(digest(match[1]), expected)) {
      throw httpProblem(403, "The bearer token is not this server's ADMIN_TOKEN.");
    }
    await next();
  };
}
