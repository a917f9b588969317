/**
 * One structured log line per HTTP request: method, route pattern, path, status, duration and
 * the request id (hono/request-id, also sent back as X-Request-Id). Headers, query strings and
 * bodies are never logged, so bearer tokens, admin tokens and cookies cannot reach the logs.
 */
import type { MiddlewareHandler } from 'hono';
import type { Logger } from './log.js';
import { routePattern } from './metrics.js';

/** Probes and scrapes arrive every few seconds from every replica; they log at debug level. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The log line of one request. */
export interface RequestLogLine {
  requestId: string | undefined;
  method: string;
  route: string;
  path: string;
  status: number;
  durationMs: number;
}

/** Middleware logging each request once it is answered; must run after `requestId()`. */
export function requestLog(log: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const line: RequestLogLine = {
        requestId: c.get('requestId'),
        method: c.req.method,
        route: routePattern(c),
        // c.req.path excludes the query string, where a token could have been put by a client.
        path: c.req.path,
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      };
      if (line.status >= 500) log.error(line, 'request failed');
      else if (QUIET_PATHS.has(line.path)) log.debug(line, 'request');
      else log.info(line, 'request');
    }
  };
}
