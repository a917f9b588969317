/**
 * Real PostgreSQL for tests. Order of preference:
 * 1. TEST_DATABASE_URL or DATABASE_URL (an admin URL: tests create and drop their own databases);
 * 2. a throw-away cluster made here with initdb in a temp folder on a free port, when the
 *    PostgreSQL binaries exist (as root, the cluster runs as the `postgres` user);
 * 3. none: callers fall back to PGlite and say so, unless FISHLENS_REQUIRE_POSTGRES=1 (CI).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PostgresHandle {
  /** Admin URL (may CREATE DATABASE), or undefined when only PGlite is available. */
  adminUrl: string | undefined;
  source: 'environment' | 'throw-away cluster' | 'none';
  stop(): Promise<void>;
}

/** Finds a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function findPostgresBin(): string | undefined {
  const fromPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (fromPath) return join(fromPath, '..');
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb'))) return bin;
  }
  return undefined;
}

/** Runs a PostgreSQL binary, as the `postgres` user when we are root (initdb refuses root). */
function runPg(bin: string, args: string[]): void {
  const isRoot = process.getuid?.() === 0;
  const [cmd, cmdArgs] = isRoot
    ? ['runuser', ['-u', 'postgres', '--', join(bin, args[0]!), ...args.slice(1)]]
    : [join(bin, args[0]!), args.slice(1)];
  execFileSync(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function startThrowawayCluster(bin: string): Promise<PostgresHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'fishlens-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  runPg(bin, ['initdb', '-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  runPg(bin, ['pg_ctl', '-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', 'start']);
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    source: 'throw-away cluster',
    stop() {
      try {
        runPg(bin, ['pg_ctl', '-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return Promise.resolve();
    },
  };
}

/** Gets real PostgreSQL for a test run, or says clearly that it could not. */
export async function acquirePostgres(
  log: (line: string) => void = console.log,
): Promise<PostgresHandle> {
  const fromEnv = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (fromEnv) {
    log('[fishlens tests] PostgreSQL from TEST_DATABASE_URL/DATABASE_URL');
    return { adminUrl: fromEnv, source: 'environment', stop: async () => {} };
  }
  const bin = findPostgresBin();
  if (bin) {
    const handle = await startThrowawayCluster(bin);
    log(`[fishlens tests] started a throw-away PostgreSQL cluster at ${handle.adminUrl}`);
    return handle;
  }
  if (process.env.FISHLENS_REQUIRE_POSTGRES === '1') {
    throw new Error(
      'FISHLENS_REQUIRE_POSTGRES=1 but no PostgreSQL: set TEST_DATABASE_URL or install PostgreSQL (apt-get install postgresql).',
    );
  }
  log(
    '[fishlens tests] WARNING: no PostgreSQL found (no TEST_DATABASE_URL, no initdb); database tests FELL BACK TO PGlite.',
  );
  return { adminUrl: undefined, source: 'none', stop: async () => {} };
}
