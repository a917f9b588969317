import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.js';
import { claimDataDir } from './data-dir-lock.js';
import { ensureClientBuild } from './client-build.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase } from './db/index.js';
import { migrate } from './db/migrate.js';
import { ensureInstallation } from './installation.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, metricsRoutes } from './metrics.js';
import {
  createModelRegistry,
  DEFAULT_DEMO_MODELS_DIR,
  publishDemoPacks,
  shouldPublishDemoModels,
} from './registry/index.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Opens the database, applies migrations, and serves the API and the PWA on one port. */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const clientDir = await ensureClientBuild(log);
  // PGlite allows one process per data folder; a second server or publish-model is refused.
  const dataDirLock = config.DATABASE_URL
    ? undefined
    : await claimDataDir(config.DATA_DIR, 'a Fishlens server');
  const db = await openDatabase(config);
  const applied = await migrate(db);
  if (applied.length > 0) log.info({ applied }, 'database migrations applied');
  log.info({ database: db.kind }, 'database ready');

  const installation = await ensureInstallation(db);
  const registry = createModelRegistry(config, db);
  log.info({ registry: registry.description }, 'model registry ready');
  if (shouldPublishDemoModels(config)) {
    await publishDemoPacks(registry, config.DEMO_MODELS_DIR ?? DEFAULT_DEMO_MODELS_DIR, log);
  }
  const metrics = createMetrics();
  const app = createApp({ config, db, log, clientDir, installation, registry, metrics });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () =>
      resolve(s),
    );
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://localhost:${port}`;
  log.info({ url }, 'Fishlens is listening');
  const metricsServer =
    config.METRICS_PORT === undefined
      ? undefined
      : await listen(metricsRoutes(metrics).fetch, config.METRICS_PORT, config.HOST);
  if (metricsServer) log.info({ port: config.METRICS_PORT }, 'metrics served on their own port');

  return {
    url,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (metricsServer) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      await db.close();
      await dataDirLock?.release();
    },
  };
}

/** Serves `fetch` on a port; resolves once listening, rejects when the port cannot be bound. */
function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
  hostname: string,
): Promise<ServerType> {
  return new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch, port, hostname }, () => resolve(s));
    s.once('error', reject);
  });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.LOG_LEVEL);
  const server = await startServer(config, log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((error: unknown) => {
    console.error(
      'Fishlens could not start:',
      error instanceof Error ? error.message : String(error),
    );
    process.exit(1);
  });
}
