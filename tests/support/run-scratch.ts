import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One temp folder per test run, for every file the run writes: tests, the servers and Chromium
 * they start and the PostgreSQL cluster all take their temp folders from `os.tmpdir()`, which
 * reads TMPDIR, and child processes and test workers inherit it. The returned teardown removes
 * the folder, so a run leaves nothing behind in /tmp even when a test fails before its own cleanup
 * (copied packs and browser profiles alone are ~85 MB per run).
 */
export function claimRunScratch(): () => void {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'fishlens-test-run-'));
  // mkdtemp makes it 0700; the throw-away PostgreSQL cluster inside runs as the `postgres` user.
  chmodSync(dir, 0o755);
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    // A browser or server that is still exiting may write a last file; retry, never fail the run.
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    } catch (error) {
      console.warn(`[fishlens tests] could not remove ${dir}: ${String(error)}`);
    }
  };
}

/** Vitest global setup: the run's scratch folder (see claimRunScratch). */
export default function setup(): () => void {
  return claimRunScratch();
}
