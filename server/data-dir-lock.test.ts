import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishModelCommand } from './cli/publish-model.js';
import { claimDataDir, DataDirInUseError } from './data-dir-lock.js';
import { tempPackRoot, writeSyntheticPack } from './registry/testing/synthetic-pack.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'fishlens-lock-'));
/** A lock as a live process (our parent, the test runner) would leave it. */
const heldByLiveProcess = (dir: string) =>
  writeFileSync(
    join(dir, 'fishlens.lock'),
    JSON.stringify({ pid: process.ppid, role: 'a Fishlens server' }),
  );

describe('the embedded data folder lock', () => {
  it('lets one process claim DATA_DIR and frees it on release', async () => {
    const dir = fresh();
    const lock = await claimDataDir(dir, 'test');
    expect(existsSync(join(dir, 'fishlens.lock'))).toBe(true);
    await lock.release();
    expect(existsSync(join(dir, 'fishlens.lock'))).toBe(false);
  });

  it('refuses a folder held by a live process, naming it', async () => {
    const dir = fresh();
    heldByLiveProcess(dir);
    await expect(claimDataDir(dir, 'test')).rejects.toThrow(DataDirInUseError);
    await expect(claimDataDir(dir, 'test')).rejects.toThrow(
      /in use by a Fishlens server \(pid \d+\)/,
    );
  });

  it('takes over a lock whose process is gone (a crash)', async () => {
    const dir = fresh();
    writeFileSync(
      join(dir, 'fishlens.lock'),
      JSON.stringify({ pid: 2 ** 22 + 12345, role: 'gone' }),
    );
    const lock = await claimDataDir(dir, 'test');
    await lock.release();
  });

  it('makes publish-model refuse, without touching the database, while a server holds DATA_DIR', async () => {
    const dir = fresh();
    heldByLiveProcess(dir);
    const pack = writeSyntheticPack(join(tempPackRoot(), 'p'), {
      name: 'river-fish',
      shardBytes: 100,
    });
    const lines: string[] = [];
    const code = await publishModelCommand([pack], { DATA_DIR: dir }, (line) => lines.push(line));
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/in use by a Fishlens server.*stop that process first/s);
    expect(existsSync(join(dir, 'pglite'))).toBe(false);
  });
});
