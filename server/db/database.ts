/** The rows of one statement; `rowCount` is the number of rows affected or returned. */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

/** Something that runs parameterised SQL: the database itself, or one transaction on it. */
export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<Row>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/**
 * One PostgreSQL database, reached through `pg` (a server) or PGlite (embedded).
 * Both speak the same SQL, so the migrations and every query run unchanged on either.
 */
export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Connection pool counts for metrics; absent where there is no pool (PGlite). */
  stats?(): PoolStats;
}

/** Connections of a pool: all open ones, the idle ones, and queries waiting for one. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/**
 * The database cannot be reached right now (refused, reset, timed out, shutting down). The
 * message is for operators' logs; the cause keeps the driver's detail. Clients get a 503.
 */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * The data folder or database is not the one this server started with: deleted, replaced by an
 * empty one, or another installation's. Writes must stop, because what is acknowledged now
 * would not be where the devices' earlier data is, or would not be kept at all.
 */
export class DatabaseReplacedError extends DatabaseUnavailableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseReplacedError';
  }
}

// SQLSTATE classes and codes that mean "no working connection", not "this statement is wrong":
// 08 connection exception, 57P01-57P03 shutdown / not accepting connections, 53300 too many
// connections (https://www.postgresql.org/docs/15/errcodes-appendix.html).
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
// node-postgres reports a lost or never-made connection with these messages and no code.
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Cannot use a pool after calling end)/;

/** Whether `error` says the database could not be reached (as opposed to a bad statement). */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code)))
    return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionFailure);
  return UNAVAILABLE_MESSAGE.test(error.message);
}

/** Rethrows a connection failure as DatabaseUnavailableError; any other error unchanged. */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError || !isConnectionFailure(error)) return error;
  return new DatabaseUnavailableError(
    `the database cannot be reached: ${(error as Error).message}`,
    { cause: error },
  );
}
