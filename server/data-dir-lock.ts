import { rmSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Another live process holds DATA_DIR (the embedded database allows only one). */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: { pid: number; role: string },
  ) {
    super(
      `${dataDir} is in use by ${owner.role} (pid ${owner.pid}). The embedded database (PGlite) ` +
        'allows one process per data folder: stop that process first, or set DATABASE_URL to use PostgreSQL.',
    );
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false; // a lock left by an earlier process that had our pid
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims DATA_DIR for this process with `DATA_DIR/fishlens.lock` ({pid, role}). PGlite has no
 * lock of its own, and two processes on one PGlite folder lose writes (a publish-model run
 * while `npm start` runs did exactly that). A lock whose process is gone is taken over.
 */
export async function claimDataDir(dataDir: string, role: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, 'fishlens.lock');
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, role }));
      await handle.close();
      // Also removed when the process exits without closing (process.exit after an error).
      const releaseSync = () => rmSync(file, { force: true });
      process.once('exit', releaseSync);
      return {
        async release() {
          process.off('exit', releaseSync);
          await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readFile(file, 'utf8')
        .then((text) => JSON.parse(text) as { pid: number; role: string })
        .catch(() => null);
      if (owner && Number.isInteger(owner.pid) && alive(owner.pid)) {
        throw new DataDirInUseError(dataDir, owner);
      }
      await rm(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not claim ${dataDir}: its lock file keeps reappearing`);
}
