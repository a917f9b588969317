/**
 * Publishing a folder that is not a Fishlens pack yet: a bare TF.js export (model.json + weight
 * shards + labels), or a pack folder without manifest.json. It is staged into a temporary pack
 * folder: the model files copied, metadata.json written (bare-metadata.ts), manifest.json
 * computed here from the bytes, never taken from the publisher. verifyPack then checks it as any
 * pack.
 */
import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import {
  MANIFEST_FILE,
  METADATA_FILE,
  MODEL_FILE,
  NAME_PATTERN,
  PACK_FORMAT,
  PACK_PATH_PATTERN,
} from '../../shared/pack.js';
import { bareExportMetadata } from './bare-metadata.js';
import { PackError, sha256File } from './pack.js';

export interface StageOptions {
  /** The registered name (`--name`); required unless metadata.json names the model. */
  name?: string | undefined;
  /** A labels file (`--labels`); else labels.txt or what the export itself says. */
  labelsFile?: string | undefined;
  /** A preprocessing preset (`--preprocess`). */
  preset?: string | undefined;
}

export interface StagedPack {
  /** A pack folder with manifest.json, ready for verifyPack. */
  dir: string;
  /** What was found or assumed, for the person publishing. */
  notes: string[];
  cleanup(): Promise<void>;
}

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new PackError(`${path} cannot be read: ${error.message}`);
  });
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PackError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A regular file inside `dir` (no symlinks out of it), or PackError naming it. */
async function packFile(dir: string, path: string): Promise<string> {
  if (!PACK_PATH_PATTERN.test(path))
    throw new PackError(`${path} is not a plain relative file path`);
  const file = resolve(dir, ...path.split('/'));
  const stats = await lstat(file).catch(() => null);
  if (!stats)
    throw new PackError(`${MODEL_FILE} names the weight file ${path}, which is not in ${dir}`);
  if (!stats.isFile() || !file.startsWith(dir + sep))
    throw new PackError(`${path} is not a regular file inside ${dir} (symlinks are refused)`);
  return file;
}

/** Every regular file under `dir`, as pack paths. */
async function allFiles(dir: string, under = ''): Promise<string[]> {
  const entries = await readdir(join(dir, under), { withFileTypes: true });
  const paths: string[] = [];
  for (const entry of entries) {
    const path = under ? `${under}/${entry.name}` : entry.name;
    if (entry.isDirectory()) paths.push(...(await allFiles(dir, path)));
    else if (entry.isFile()) paths.push(path);
  }
  return paths;
}

/** The folder's pack description and the files that go into the pack. */
async function describeFolder(
  dir: string,
  options: StageOptions,
): Promise<{ metadata: unknown; files: string[]; notes: string[] }> {
  const modelText = await readText(join(dir, MODEL_FILE));
  if (modelText === undefined)
    throw new PackError(`${dir} has no ${MODEL_FILE}: is this a TF.js export folder?`);
  const modelJson = parseJson(modelText, MODEL_FILE);
  const metadataText = await readText(join(dir, METADATA_FILE));
  const metadataJson =
    metadataText === undefined ? undefined : parseJson(metadataText, METADATA_FILE);

  if ((metadataJson as { format?: unknown } | undefined)?.format === PACK_FORMAT) {
    // A Fishlens pack that lost (or never had) its manifest: its metadata.json says everything.
    if (options.labelsFile || options.preset)
      throw new PackError(
        `${METADATA_FILE} is a Fishlens pack description that already names the labels and preprocessing; drop --labels/--preprocess or edit it`,
      );
    const files = (await allFiles(dir)).filter((p) => p !== MANIFEST_FILE);
    return { metadata: metadataJson, files, notes: [] };
  }

  const tm = (metadataJson ?? {}) as { modelName?: unknown };
  const tmName = typeof tm.modelName === 'string' ? tm.modelName.toLowerCase() : undefined;
  const name = options.name ?? (tmName && NAME_PATTERN.test(tmName) ? tmName : undefined);
  if (!name) throw new PackError('a bare export needs a name: publish it with --name <name>');
  const labelsText = options.labelsFile ? await readText(resolve(options.labelsFile)) : undefined;
  if (options.labelsFile && labelsText === undefined)
    throw new PackError(`the labels file ${options.labelsFile} does not exist`);
  const { metadata, notes } = bareExportMetadata({
    modelJson,
    ...(options.labelsFile && labelsText !== undefined
      ? { labelsFile: { name: options.labelsFile, text: labelsText } }
      : {}),
    metadataJson,
    ...(options.labelsFile ? {} : { labelsTxt: await readText(join(dir, 'labels.txt')) }),
    ...(options.preset ? { preset: options.preset } : {}),
    name,
    // The export's own time, so publishing the same folder again finds the same pack.
    createdAt: (await lstat(join(dir, MODEL_FILE))).mtime.toISOString(),
  });
  const manifest = (modelJson as { weightsManifest?: { paths?: unknown }[] }).weightsManifest ?? [];
  const shards = manifest.flatMap((group) =>
    Array.isArray(group.paths) ? group.paths.map(String) : [],
  );
  return { metadata, files: [MODEL_FILE, ...new Set(shards)], notes };
}

/**
 * Stages `dirPath` (a bare export, or a pack without manifest.json) as a pack folder in a temp
 * directory. Throws PackError for anything that would not make a runnable pack.
 */
export async function stageBareExport(dirPath: string, options: StageOptions): Promise<StagedPack> {
  const dir = resolve(dirPath);
  const { metadata, files, notes } = await describeFolder(dir, options);
  const sources = await Promise.all(files.map((path) => packFile(dir, path)));
  const staged = await mkdtemp(join(tmpdir(), 'fishlens-stage-'));
  const cleanup = () => rm(staged, { recursive: true, force: true });
  try {
    const entries = [];
    for (const [i, source] of sources.entries()) {
      const path = files[i]!;
      const target = join(staged, ...path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await copyFile(source, target);
      entries.push(path);
    }
    if (!entries.includes(METADATA_FILE)) {
      await writeFile(join(staged, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
      entries.push(METADATA_FILE);
    }
    const manifest = {
      format: PACK_FORMAT,
      files: await Promise.all(
        entries.sort().map(async (path) => {
          const file = join(staged, ...path.split('/'));
          return { path, size: (await lstat(file)).size, sha256: await sha256File(file) };
        }),
      ),
    };
    await writeFile(join(staged, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    return { dir: staged, notes, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
