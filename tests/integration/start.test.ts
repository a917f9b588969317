import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function start(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('npm start with a bad configuration', () => {
  it('exits non-zero and names DATABASE_URL when it is not a URL', () => {
    const result = start({ DATABASE_URL: 'not-a-url' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/DATABASE_URL: expected a PostgreSQL URL/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('exits non-zero and names PORT when it is out of range', () => {
    const result = start({ PORT: '70000' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/PORT: expected a port between 0 and 65535/);
  });
});
