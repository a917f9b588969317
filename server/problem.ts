import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { DatabaseReplacedError, DatabaseUnavailableError } from './db/database.js';

/**
 * An RFC 9457 problem document. `type` stays `about:blank` unless a route defines its own.
 * `detail` is written for the person or app that sent the request: what went wrong and what to
 * do about it, never the server's internals (those go to the log under the same `requestId`).
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** The X-Request-Id of this request, to quote to whoever runs the server. */
  requestId?: string;
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

/** Seconds a client should wait before retrying while the database cannot be reached. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
/** Seconds to wait while the server refuses writes because its data is not the data it started with. */
export const REPLACED_RETRY_AFTER_SECONDS = 60;

/** A problem+json response for this request, carrying its request id. */
export function problem(
  c: Context,
  status: ContentfulStatusCode,
  detail?: string,
  extensions: Record<string, unknown> = {},
): Response {
  const requestId = c.get('requestId') as string | undefined;
  const body: Problem = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    ...(detail === undefined ? {} : { detail }),
    instance: c.req.path,
    ...(requestId ? { requestId } : {}),
    ...extensions,
  };
  return c.body(JSON.stringify(body), status, { 'Content-Type': 'application/problem+json' });
}

/** An HTTPException that the error handler answers as problem+json with the request's id. */
export class ProblemException extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message: detail });
  }

  /** The response outside the error handler (no request id): Hono calls this when unhandled. */
  override getResponse(): Response {
    const body: Problem = {
      type: 'about:blank',
      title: TITLES[this.status] ?? 'Error',
      status: this.status,
      detail: this.detail,
      ...this.extensions,
    };
    return new Response(JSON.stringify(body), {
      status: this.status,
      headers: { 'Content-Type': 'application/problem+json', ...this.headers },
    });
  }
}

/** Throwable problem for routes: a status and a message meant for the client. */
export function httpProblem(
  status: ContentfulStatusCode,
  detail: string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): ProblemException {
  return new ProblemException(status, detail, extensions, headers);
}

/**
 * The 503 of a database that cannot be reached or is not the one the server started with, with
 * Retry-After; `detail` replaces the message for clients of a write (readiness probes say more).
 */
export function databaseProblem(
  c: Context,
  error: unknown,
  detail: { replaced: string; unreachable: string } = WRITE_REFUSED,
  extensions: Record<string, unknown> = {},
): Response {
  const replaced = error instanceof DatabaseReplacedError;
  c.header(
    'Retry-After',
    String(replaced ? REPLACED_RETRY_AFTER_SECONDS : DATABASE_RETRY_AFTER_SECONDS),
  );
  return problem(c, 503, replaced ? detail.replaced : detail.unreachable, extensions);
}

const WRITE_REFUSED = {
  replaced:
    'The server stopped taking data: its storage is not the storage it started with, so it ' +
    'cannot keep what you send. Nothing was stored; keep your data and try again later ' +
    '(the app does). Whoever runs the server should check its data folder or database.',
  unreachable:
    'The server cannot reach its database right now. Nothing was stored; try again in a ' +
    'few seconds (the app does this by itself).',
};

/**
 * The one error handler: problems keep their status, database outages answer 503 with
 * Retry-After, everything else is a 500 whose body says nothing about the cause (no stack, no
 * SQL, no addresses); the cause goes to the log under the request id the body carries.
 */
export function problemErrorHandler(log: Logger): ErrorHandler {
  return (error, c) => {
    if (error instanceof ProblemException) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return problem(c, error.status, error.detail, error.extensions);
    }
    if (error instanceof HTTPException) {
      return problem(c, error.status, error.message || undefined);
    }
    const context = { err: error, requestId: c.get('requestId'), path: c.req.path };
    if (error instanceof DatabaseUnavailableError) {
      log.warn(context, error.message);
      return databaseProblem(c, error);
    }
    log.error({ ...context, method: c.req.method }, 'unhandled error');
    return problem(
      c,
      500,
      'Something went wrong on the server. Try again later; if it keeps happening, give the ' +
        'request id to whoever runs this server.',
    );
  };
}

export const problemNotFound: NotFoundHandler = (c) =>
  problem(c, 404, `There is nothing at ${c.req.path}. Check the address.`);
