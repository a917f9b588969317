/**
 * Model pack versions for the offline/update end-to-end tests: copy a pack as a new version
 * (different metadata, so a different manifest and version), publish it with the real CLI
 * (`npm run publish-model`) into a running test server's registry, and alter a stored file the
 * way a corrupted or tampered storage would.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FishlensServer } from './fishlens-server.js';
import { ROOT } from './test-packs.js';

const run = promisify(execFile);

interface Manifest {
  format: string;
  files: { path: string; size: number; sha256: string }[];
}

/** A copy of the pack `srcDir` whose metadata.json is `change`d, with manifest.json updated to match. */
export function copyPackWithMetadata(
  srcDir: string,
  change: (metadata: Record<string, unknown>) => Record<string, unknown>,
): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'fishlens-pack-')), 'pack');
  cpSync(srcDir, dir, { recursive: true });
  const metadataPath = join(dir, 'metadata.json');
  const metadata = JSON.parse(readFileSync(metadataPath, 'utf8')) as Record<string, unknown>;
  const bytes = Buffer.from(JSON.stringify(change(metadata), null, 2));
  writeFileSync(metadataPath, bytes);
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const entry = manifest.files.find((f) => f.path === 'metadata.json');
  if (!entry) throw new Error(`${srcDir}/manifest.json does not list metadata.json`);
  entry.size = bytes.length;
  entry.sha256 = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return dir;
}

/** A copy of `srcDir` whose metadata.json description ends with `note`, with manifest.json updated. */
export function copyPackAsNewVersion(srcDir: string, note: string): string {
  return copyPackWithMetadata(srcDir, (metadata) => ({
    ...metadata,
    description: `${(metadata.description as string | undefined) ?? ''} (${note})`.trim(),
  }));
}

/**
 * Publishes a pack folder (or a bare TF.js export, with `args` such as `--name`) into the
 * server's registry with the publish-model CLI, moving the `production` alias. PGlite allows one
 * process, so an embedded server is stopped meanwhile.
 */
export async function publishToServer(
  server: FishlensServer,
  packDir: string,
  args: string[] = [],
): Promise<string> {
  const embedded = !server.databaseUrl;
  if (embedded) await server.stop();
  try {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'server/cli/publish-model.ts', packDir, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, DATA_DIR: server.dataDir, DATABASE_URL: server.databaseUrl ?? '' },
        timeout: 120_000,
      },
    );
    return stdout;
  } finally {
    if (embedded) await server.restart();
  }
}

/**
 * Flips bytes in the middle of one stored file of a published pack (found by its manifest.json
 * in the local object store under DATA_DIR/model-files), keeping its size. Returns the file path.
 */
export function tamperStoredFile(
  server: FishlensServer,
  name: string,
  packDir: string,
  path: string,
): string {
  const manifest = readFileSync(join(packDir, 'manifest.json'));
  const base = join(server.dataDir, 'model-files', 'models', name);
  for (const digest of readdirSync(base)) {
    const stored = readFileSync(join(base, digest, 'manifest.json'));
    if (!stored.equals(manifest)) continue;
    const file = join(base, digest, ...path.split('/'));
    const bytes = readFileSync(file);
    const middle = Math.floor(bytes.length / 2);
    for (let i = middle; i < Math.min(middle + 64, bytes.length); i++)
      bytes[i] = (bytes[i] ?? 0) ^ 0xff;
    writeFileSync(file, bytes);
    return file;
  }
  throw new Error(`no stored copy of ${packDir} under ${base}`);
}
