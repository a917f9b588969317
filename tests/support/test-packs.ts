/**
 * Model packs for browser tests of identification: the committed demo packs (models/demo/) when
 * they exist, else a tiny pack trained once from the fixture photos with the real training CLI
 * and kept under .cache/ (the pipeline is the same; only the data is smaller).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Decision } from '../../shared/decision.js';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(ROOT, 'tests/fixtures/fish');
/** River fish photos the committed river pack answers "not sure" (its README), by label id. */
export const UNSURE_FIXTURES = join(ROOT, 'tests/fixtures/fish-unsure');

export interface TestPack {
  /** Folder of pack folders, for the server's DEMO_MODELS_DIR. */
  packsDir: string;
  /** This pack's folder. */
  dir: string;
  name: string;
}

/** river-fish from models/demo when committed, else the tiny fixture-trained pack. */
export async function identificationPack(): Promise<TestPack> {
  const demo = join(ROOT, 'models/demo');
  if (existsSync(join(demo, 'river-fish/manifest.json')))
    return { packsDir: demo, dir: join(demo, 'river-fish'), name: 'river-fish' };
  const packsDir = join(ROOT, '.cache/e2e-packs');
  const dir = join(packsDir, 'tiny-fish');
  if (!existsSync(join(dir, 'manifest.json'))) {
    await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'training/train-cli.ts',
        '--data',
        FIXTURES,
        '--name',
        'tiny-fish',
        '--out',
        dir,
        '--quiet',
      ],
      {
        cwd: ROOT,
        timeout: 600_000,
      },
    );
  }
  return { packsDir, dir, name: 'tiny-fish' };
}

/** Label ids of a pack, in output order. */
export function packLabels(dir: string): string[] {
  const metadata = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as {
    labels: { id: string }[];
  };
  return metadata.labels.map((l) => l.id);
}

/** tests/support/node-predict.ts with these arguments: its JSON answer. */
async function nodePredict(args: string[]): Promise<unknown> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'tests/support/node-predict.ts', ...args],
    { cwd: ROOT, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout);
}

/** Node's probabilities (as `npm run eval` computes them) for each image. */
export async function nodeProbabilities(
  dir: string,
  files: string[],
): Promise<Record<string, number[]>> {
  return (await nodePredict([dir, ...files])) as Record<string, number[]>;
}

/** Node's decisions ("sure", "not sure", "not one of my species"), as `npm run eval` decides. */
export async function nodeDecisions(
  dir: string,
  files: string[],
): Promise<Record<string, Decision>> {
  return (await nodePredict(['--decisions', dir, ...files])) as Record<string, Decision>;
}

/**
 * A folder of packs for the test server: a copy of `pack` and a variant named `<name>-unsure`
 * whose metadata says "not sure" below a top probability of 1 (its manifest updated to match),
 * so the not-sure path can be tested with a real model.
 */
export function packsWithUnsureVariant(pack: TestPack): { packsDir: string; unsureName: string } {
  const packsDir = mkdtempSync(join(tmpdir(), 'fishlens-packs-'));
  cpSync(pack.dir, join(packsDir, pack.name), { recursive: true });
  const unsureName = `${pack.name}-unsure`;
  const unsureDir = join(packsDir, unsureName);
  cpSync(pack.dir, unsureDir, { recursive: true });
  const metadataPath = join(unsureDir, 'metadata.json');
  const metadata = JSON.parse(readFileSync(metadataPath, 'utf8')) as Record<string, unknown>;
  const text = JSON.stringify({ ...metadata, name: unsureName, notSureBelow: 1 }, null, 2);
  writeFileSync(metadataPath, text);
  const manifestPath = join(unsureDir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    files: { path: string; size: number; sha256: string }[];
  };
  for (const file of manifest.files) {
    if (file.path !== 'metadata.json') continue;
    file.size = Buffer.byteLength(text);
    file.sha256 = createHash('sha256').update(text).digest('hex');
  }
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return { packsDir, unsureName };
}

/** Every photo in the label folders of `dir` (`<dir>/<label id>/<photo>`), sorted. */
export function labelledPhotos(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(dir, d.name))
        .filter((f) => /\.(png|jpe?g|webp)$/i.test(f))
        .map((f) => join(dir, d.name, f)),
    )
    .sort();
}

/** One fixture photo per class (the first file of each class folder). */
export function fixturePhotos(labels: string[]): { label: string; file: string }[] {
  return labels.flatMap((label) => {
    const files = (() => {
      try {
        return readdirSync(join(FIXTURES, label))
          .filter((f) => /\.(png|jpe?g|webp)$/i.test(f))
          .sort();
      } catch {
        return [];
      }
    })();
    return files.slice(0, 1).map((f) => ({ label, file: join(FIXTURES, label, f) }));
  });
}
