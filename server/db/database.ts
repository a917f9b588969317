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
