import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';

/** An RFC 9457 problem document. `type` stays `about:blank` unless a route defines its own. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A problem+json response. */
export function problem(
  c: Context,
  status: ContentfulStatusCode,
  detail?: string,
  extensions: Record<string, unknown> = {},
): Response {
  const body: Problem = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    ...(detail === undefined ? {} : { detail }),
    instance: c.req.path,
    ...extensions,
  };
  return c.body(JSON.stringify(body), status, { 'Content-Type': 'application/problem+json' });
}

/**
 * Throws an HTTPException whose response is problem+json, for routes to stop with a status and
 * a message meant for the client.
 */
export function httpProblem(
  status: ContentfulStatusCode,
  detail: string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): HTTPException {
  const body: Problem = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...extensions,
  };
  return new HTTPException(status, {
    res: new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/problem+json', ...headers },
    }),
  });
}

/**
 * The one error handler: known HTTP errors keep their status, everything else is a 500 whose body
 * says nothing about the cause (no stack, no SQL); the cause goes to the log.
 */
export function problemErrorHandler(log: Logger): ErrorHandler {
  return (error, c) => {
    if (error instanceof HTTPException) {
      const res = error.getResponse();
      if (res.headers.get('Content-Type')?.includes('application/problem+json')) return res;
      return problem(c, error.status, error.message || undefined);
    }
    log.error(
      { err: error, requestId: c.get('requestId'), path: c.req.path, method: c.req.method },
      'unhandled error',
    );
    return problem(c, 500, 'Something went wrong on the server. Try again later.');
  };
}

export const problemNotFound: NotFoundHandler = (c) =>
  problem(c, 404, `There is nothing at ${c.req.path}.`);
