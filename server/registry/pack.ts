import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import {
  duplicateLabelIds,
  MANIFEST_FILE,
  manifestSchema,
  METADATA_FILE,
  metadataSchema,
  MODEL_FILE,
  type PackManifest,
  type PackMetadata,
} from '../../shared/pack.js';
import { checkModel } from '../../shared/model-check.js';

/** A pack folder whose files all match its manifest.json, ready to publish. */
export interface VerifiedPack {
  dir: string;
  manifest: PackManifest;
  /** manifest.json exactly as on disk; its sha256 identifies the pack. */
  manifestBytes: Buffer;
  /** sha256 (hex) of manifest.json: two packs with the same digest have the same files. */
  digest: string;
  /** metadata.json as written (defaults not filled in), for serving back to clients. */
  metadataJson: Record<string, unknown>;
  metadata: PackMetadata;
  sizeBytes: number;
}

/** A pack that must not be published; the message names the file and what is wrong with it. */
export class PackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackError';
  }
}

/** Hex SHA-256 of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function readJson(dir: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch {
    throw new PackError(`${dir} has no readable ${file}; is this a Fishlens model pack folder?`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PackError(`${file} in ${dir} is not valid JSON: ${(error as Error).message}`);
  }
}

function describeIssues(file: string, issues: { path: PropertyKey[]; message: string }[]): string {
  const lines = issues
    .slice(0, 5)
    .map((i) => `  ${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  return `${file} does not follow the pack format:\n${lines.join('\n')}`;
}

/**
 * Refuses a model no phone could run (the shared model check: format, input, output size against
 * the labels, ops) and one whose weight files the manifest does not list, before anything is
 * uploaded.
 */
function checkPackModel(modelJson: unknown, labelCount: number, listed: Set<string>): void {
  const { problems } = checkModel(modelJson, { labelCount });
  if (problems.length > 0)
    throw new PackError(
      `this model cannot run in Fishlens: ${problems.map((p) => p.message).join(' ')}`,
    );
  const groups = (modelJson as { weightsManifest?: { paths?: unknown }[] }).weightsManifest ?? [];
  for (const path of groups.flatMap((g) =>
    Array.isArray(g.paths) ? (g.paths as unknown[]) : [],
  )) {
    if (!listed.has(String(path)))
      throw new PackError(
        `${MODEL_FILE} needs the weight file ${String(path)}, which ${MANIFEST_FILE} does not list`,
      );
  }
}

/**
 * Checks a pack folder before publishing: manifest.json and metadata.json follow the pack format,
 * the model can run with these labels, every listed file is a regular file inside the folder with exactly the listed size and sha256.
 * Throws PackError naming the first file that does not match.
 */
export async function verifyPack(dirPath: string): Promise<VerifiedPack> {
  const dir = await realpath(resolve(dirPath)).catch(() => {
    throw new PackError(`pack folder ${dirPath} does not exist`);
  });
  const manifestParsed = manifestSchema.safeParse(await readJson(dir, MANIFEST_FILE));
  if (!manifestParsed.success)
    throw new PackError(describeIssues(MANIFEST_FILE, manifestParsed.error.issues));
  const manifest = manifestParsed.data;

  const paths = new Set<string>();
  for (const { path } of manifest.files) {
    if (paths.has(path)) throw new PackError(`${MANIFEST_FILE} lists ${path} twice`);
    if (path === MANIFEST_FILE) throw new PackError(`${MANIFEST_FILE} must not list itself`);
    paths.add(path);
  }
  for (const required of [METADATA_FILE, MODEL_FILE]) {
    if (!paths.has(required)) throw new PackError(`${MANIFEST_FILE} does not list ${required}`);
  }

  const metadataJson = await readJson(dir, METADATA_FILE);
  const metadataParsed = metadataSchema.safeParse(metadataJson);
  if (!metadataParsed.success)
    throw new PackError(describeIssues(METADATA_FILE, metadataParsed.error.issues));
  const dupes = duplicateLabelIds(metadataParsed.data.labels);
  if (dupes.length > 0)
    throw new PackError(`${METADATA_FILE} repeats label ids: ${dupes.join(', ')}`);

  let sizeBytes = 0;
  for (const entry of manifest.files) {
    const file = join(dir, ...entry.path.split('/'));
    const stats = await lstat(file).catch(() => null);
    if (!stats)
      throw new PackError(`${entry.path} is listed in ${MANIFEST_FILE} but missing from ${dir}`);
    // A symlink could point outside the pack; only regular files are published.
    if (!stats.isFile())
      throw new PackError(`${entry.path} is not a regular file (symlinks and folders are refused)`);
    if (!resolve(file).startsWith(dir + sep))
      throw new PackError(`${entry.path} lies outside the pack folder`);
    if (stats.size !== entry.size) {
      throw new PackError(
        `${entry.path} does not match ${MANIFEST_FILE}: size is ${stats.size} bytes, the manifest says ${entry.size}; the pack was changed or damaged after it was built`,
      );
    }
    const actual = await sha256File(file);
    if (actual !== entry.sha256) {
      throw new PackError(
        `${entry.path} does not match ${MANIFEST_FILE}: sha256 is ${actual}, the manifest says ${entry.sha256}; the pack was changed or damaged after it was built`,
      );
    }
    sizeBytes += entry.size;
  }

  // After the integrity checks: the model.json read here is the one the manifest vouches for.
  checkPackModel(await readJson(dir, MODEL_FILE), metadataParsed.data.labels.length, paths);
  const manifestBytes = await readFile(join(dir, MANIFEST_FILE));
  return {
    dir,
    manifest,
    manifestBytes,
    digest: createHash('sha256').update(manifestBytes).digest('hex'),
    metadataJson: metadataJson as Record<string, unknown>,
    metadata: metadataParsed.data,
    sizeBytes,
  };
}
