/**
 * Starts the real Fishlens server (`tsx server/main.ts`, as `npm start` does) in a child process
 * for end-to-end tests, on a free port, with its own empty database: a fresh database on the run's
 * PostgreSQL when there is one (POSTGRES_ADMIN_URL, set by the Playwright global setup), else
 * PGlite in a temp DATA_DIR. Metrics are off unless a test sets METRICS_PORT (several servers
 * run at once), and the data-location note (server/data-history.ts) goes to a temp folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './postgres.js';
import { createDatabaseOn } from './test-database-admin.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface FishlensServer {
  url: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Everything the server printed, for assertions and failure messages. */
  output(): string;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Kills the process at once (crash simulation); the data stays. */
  kill(): Promise<void>;
  /** Starts the same server again on the same port, data dir and database. */
  restart(): Promise<void>;
  /** Removes the data dir and the database. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Use PGlite even when PostgreSQL is available (tests of the embedded default). */
  embedded?: boolean;
  timeoutMs?: number;
  /** Another checkout to run the server (and serve the build) of: benches compare builds. */
  root?: string;
  /** The DATABASE_URL the server gets for its fresh database (a test puts a proxy in between). */
  databaseUrl?: (created: string) => string;
}

async function waitForReady(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`Fishlens exited with ${child.exitCode} before it was ready:\n${output()}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Fishlens was not ready within ${timeoutMs} ms:\n${output()}`);
}

export async function startFishlens(options: StartOptions = {}): Promise<FishlensServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'fishlens-e2e-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'fishlens-e2e-state-'));
  const adminUrl = process.env.POSTGRES_ADMIN_URL;
  const database = adminUrl && !options.embedded ? await createDatabaseOn(adminUrl) : undefined;
  let log = '';
  let child: ChildProcess;
  const url = `http://localhost:${port}`;

  const launch = async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: options.root ?? ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        DATABASE_URL: database ? (options.databaseUrl?.(database.url) ?? database.url) : '',
        METRICS_PORT: 'off',
        XDG_STATE_HOME: stateDir,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await waitForReady(url, child, () => log, options.timeoutMs ?? 60_000);
  };

  const stopWith = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill(signal);
    });

  await launch();
  return {
    url,
    port,
    dataDir,
    databaseUrl: database?.url,
    output: () => log,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    restart: launch,
    async dispose() {
      await stopWith('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(stateDir, { recursive: true, force: true });
      await database?.drop();
    },
  };
}
