import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.js';
import { claimDataDir } from './data-dir-lock.js';
import { ensureClientBuild } from './client-build.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { captureDataIdentity } from './data-identity.js';
import { checkDataHistory, dataLocation, defaultStateDir } from './data-history.js';
import { openDatabase, pgliteFolder } from './db/index.js';
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
  /** The port /metrics is served on, unless METRICS_PORT is off. */
  metricsPort: number | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Folder of the data-location note (data-history.ts); the user's state folder by default. */
  stateDir?: string;
  /** The built PWA to serve; by default dist/client, built first when missing. */
  clientDir?: string;
}

/**
 * Opens the database, applies migrations, and serves the API and the PWA on PORT, and the
 * metrics on METRICS_PORT.
 */
export async function startServer(
  config: Config,
  log: Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  const clientDir = options.clientDir ?? (await ensureClientBuild(log));
  // PGlite allows one process per data folder; a second server or publish-model is refused.
  const dataDirLock = config.DATABASE_URL
    ? undefined
    : await claimDataDir(config.DATA_DIR, 'a Fishlens server');
  const db = await openDatabase(config);
  const applied = await migrate(db);
  if (applied.length > 0) log.info({ applied }, 'database migrations applied');
  log.info({ database: db.kind }, 'database ready');

  const installation = await ensureInstallation(db);
  await checkDataHistory({
    stateDir: options.stateDir ?? defaultStateDir(),
    location: dataLocation(config),
    installation,
    log,
  });
  const identity = await captureDataIdentity(
    installation,
    config.DATABASE_URL ? undefined : pgliteFolder(config.DATA_DIR),
  );
  const registry = createModelRegistry(config, db);
  log.info({ registry: registry.description }, 'model registry ready');
  if (shouldPublishDemoModels(config)) {
    await publishDemoPacks(registry, config.DEMO_MODELS_DIR ?? DEFAULT_DEMO_MODELS_DIR, log);
  }
  const metrics = createMetrics();
  const app = createApp({ config, db, log, clientDir, installation, identity, registry, metrics });
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
    config.METRICS_PORT === 'off'
      ? undefined
      : await listen(metricsRoutes(metrics).fetch, config.METRICS_PORT, config.HOST);
  const metricsAddress = metricsServer?.address();
  const metricsPort =
    typeof metricsAddress === 'object' && metricsAddress ? metricsAddress.port : undefined;
  if (metricsServer) log.info({ port: metricsPort }, 'metrics served on their own port');

  return {
    url,
    metricsPort,
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
