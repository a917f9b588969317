import pg from 'pg';
import {
  asUnavailable,
  DatabaseUnavailableError,
  type Database,
  type Queryable,
  type QueryResult,
} from './database.js';

/**
 * Opens a pool on a PostgreSQL server. Connections are made lazily, so a down server fails
 * queries, not start-up; a query that cannot reach the server throws DatabaseUnavailableError.
 */
export function openPostgres(url: string, options: { poolMax?: number } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A query that hangs (a lock, a dead server behind a proxy) must not hang the request forever.
    query_timeout: 30_000,
  });
  // An idle client losing its connection emits 'error' on the pool; without a listener Node exits.
  pool.on('error', () => {});

  const run = async <Row>(
    client: pg.Pool | pg.PoolClient,
    text: string,
    params?: unknown[],
  ): Promise<QueryResult<Row>> => {
    const result = await client.query(text, params).catch((error: unknown) => {
      throw asUnavailable(error);
    });
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
  };

  return {
    kind: 'postgres',
    query: (text, params) => run(pool, text, params),
    async exec(sql) {
      await pool.query(sql).catch((error: unknown) => {
        throw asUnavailable(error);
      });
    },
    async transaction(work) {
      const client = await pool.connect().catch((error: unknown) => {
        throw asUnavailable(error);
      });
      let broken = false;
      // A checked-out client whose connection dies between statements emits 'error'; without a
      // listener that is an uncaught exception that ends the process (node-postgres documents
      // this for pool.connect()). The failure also surfaces as the next statement's error.
      const onError = () => {
        broken = true;
      };
      client.on('error', onError);
      try {
        await run(client, 'BEGIN');
        const tx: Queryable = {
          query: (text, params) => run(client, text, params),
          exec: async (sql) => {
            await client.query(sql).catch((error: unknown) => {
              throw asUnavailable(error);
            });
          },
        };
        const result = await work(tx);
        await run(client, 'COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        // A client whose connection broke must not go back to the pool.
        const failure = asUnavailable(error);
        broken ||= failure instanceof DatabaseUnavailableError;
        throw failure;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    close: () => pool.end(),
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}
