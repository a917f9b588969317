/**
 * What an MLflow model version is, read from its files: a Fishlens pack (manifest.json +
 * metadata.json + model), or a bare TF.js export (model.json + shards + labels from a labels.txt,
 * a Teachable Machine metadata.json, the converter's metadata or the version's/run's tags), whose
 * metadata.json and manifest the server makes here, hashing every file itself. Anything that is not
 * a model the app can run throws ModelNotRunnableError with the reason.
 */
import { createHash } from 'node:crypto';
import { checkModel } from '../../shared/model-check.js';
import {
  MANIFEST_FILE,
  manifestSchema,
  METADATA_FILE,
  metadataSchema,
  MODEL_FILE,
  PACK_FORMAT,
  PACK_PATH_PATTERN,
  type ManifestEntry,
} from '../../shared/pack.js';
import { ObjectNotFoundError, type ObjectStore } from '../storage/index.js';
import { bareExportMetadata } from './bare-metadata.js';
import type { MlflowModelVersion } from './mlflow-client.js';
import { PackError } from './pack.js';
import { ModelNotRunnableError, type ModelVersion } from './types.js';

export type VersionFacts = Omit<ModelVersion, 'aliases'>;

/** A file's bytes, or null when the store does not have it (404, or MLflow's 500 for missing). */
async function readOptional(store: ObjectStore, path: string): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await new Response(await store.get(path)).arrayBuffer());
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return null;
    throw error;
  }
}

function parse(bytes: Uint8Array, file: string, where: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ModelNotRunnableError(`${file} at ${where} is not valid JSON`);
  }
}

/** Size and sha256 of a file, streamed from the store. */
async function hashFile(store: ObjectStore, path: string, where: string): Promise<ManifestEntry> {
  if (!PACK_PATH_PATTERN.test(path))
    throw new ModelNotRunnableError(
      `${MODEL_FILE} at ${where} names an unsafe weight path ${path}`,
    );
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of await store.get(path)) {
      hash.update(chunk);
      size += chunk.length;
    }
  } catch (error) {
    if (error instanceof ObjectNotFoundError)
      throw new ModelNotRunnableError(`${MODEL_FILE} at ${where} names ${path}, which is missing`);
    throw error;
  }
  return { path, size, sha256: hash.digest('hex') };
}

interface DescribeInput {
  mv: MlflowModelVersion;
  store: ObjectStore;
  location: string;
  /** The version's tags over its run's, read only for a bare export. */
  tags: () => Promise<Record<string, string>>;
}

function facts(
  input: DescribeInput,
  rest: Omit<VersionFacts, 'name' | 'version' | 'createdAt' | 'location'>,
): VersionFacts {
  return {
    name: input.mv.name,
    version: Number(input.mv.version),
    createdAt: new Date(Number(input.mv.creation_timestamp ?? 0)).toISOString(),
    location: input.location,
    ...rest,
  };
}

/** A Fishlens pack published to MLflow (publish-model, or log_artifacts of a built pack). */
async function describePack(
  input: DescribeInput,
  manifestBytes: Uint8Array,
): Promise<VersionFacts> {
  const { store, location } = input;
  const manifest = manifestSchema.safeParse(parse(manifestBytes, MANIFEST_FILE, location));
  if (!manifest.success)
    throw new ModelNotRunnableError(
      `${MANIFEST_FILE} at ${location} is not a Fishlens pack manifest`,
    );
  const metadataBytes = await readOptional(store, METADATA_FILE);
  if (!metadataBytes)
    throw new ModelNotRunnableError(`${location} has ${MANIFEST_FILE} but no ${METADATA_FILE}`);
  const metadataJson = parse(metadataBytes, METADATA_FILE, location) as Record<string, unknown>;
  const metadata = metadataSchema.safeParse(metadataJson);
  if (!metadata.success)
    throw new ModelNotRunnableError(
      `${METADATA_FILE} at ${location} does not follow the pack format: ${metadata.error.issues[0]?.message ?? ''}`,
    );
  const modelBytes = await readOptional(store, MODEL_FILE);
  if (!modelBytes) throw new ModelNotRunnableError(`${location} has no ${MODEL_FILE}`);
  const { problems } = checkModel(parse(modelBytes, MODEL_FILE, location), {
    labelCount: metadata.data.labels.length,
  });
  if (problems.length > 0)
    throw new ModelNotRunnableError(
      `this model cannot run in Fishlens: ${problems.map((p) => p.message).join(' ')}`,
    );
  return facts(input, {
    metadata: metadataJson,
    files: manifest.data.files,
    description: metadata.data.description,
    labelCount: metadata.data.labels.length,
    sizeBytes: manifest.data.files.reduce((sum, f) => sum + f.size, 0),
  });
}

/** A bare TF.js export: metadata.json made here, every file hashed here. */
async function describeBare(input: DescribeInput, modelBytes: Uint8Array): Promise<VersionFacts> {
  const { store, location, mv } = input;
  const modelJson = parse(modelBytes, MODEL_FILE, location);
  const metadataBytes = await readOptional(store, METADATA_FILE);
  const metadataJson = metadataBytes ? parse(metadataBytes, METADATA_FILE, location) : undefined;
  let metadata: unknown;
  if ((metadataJson as { format?: unknown } | undefined)?.format === PACK_FORMAT) {
    metadata = metadataJson; // a pack logged without its manifest
  } else {
    const labelsTxt = await readOptional(store, 'labels.txt');
    try {
      metadata = bareExportMetadata({
        modelJson,
        metadataJson,
        ...(labelsTxt ? { labelsTxt: new TextDecoder().decode(labelsTxt) } : {}),
        tags: await input.tags(),
        name: mv.name,
        description: mv.description ?? '',
        createdAt: new Date(Number(mv.creation_timestamp ?? 0)).toISOString(),
      }).metadata;
    } catch (error) {
      if (error instanceof PackError) throw new ModelNotRunnableError(error.message);
      throw error;
    }
  }
  const parsed = metadataSchema.safeParse(metadata);
  if (!parsed.success)
    throw new ModelNotRunnableError(
      `${METADATA_FILE} at ${location} does not follow the pack format`,
    );
  const groups = (modelJson as { weightsManifest?: { paths?: unknown }[] }).weightsManifest ?? [];
  const shards = [
    ...new Set(groups.flatMap((g) => (Array.isArray(g.paths) ? g.paths.map(String) : []))),
  ];
  const files = [await hashFile(store, MODEL_FILE, location)];
  for (const shard of shards) files.push(await hashFile(store, shard, location));
  const metadataOut = new TextEncoder().encode(`${JSON.stringify(metadata, null, 2)}\n`);
  files.push({
    path: METADATA_FILE,
    size: metadataOut.length,
    sha256: createHash('sha256').update(metadataOut).digest('hex'),
  });
  return facts(input, {
    metadata: metadata as Record<string, unknown>,
    files,
    description: parsed.data.description,
    labelCount: parsed.data.labels.length,
    sizeBytes: files.reduce((sum, f) => sum + f.size, 0),
    generatedFiles: new Map([[METADATA_FILE, metadataOut]]),
  });
}

/** Describes the version from the files under `store`. */
export async function describeVersionFiles(input: DescribeInput): Promise<VersionFacts> {
  const manifest = await readOptional(input.store, MANIFEST_FILE);
  if (manifest) return describePack(input, manifest);
  const model = await readOptional(input.store, MODEL_FILE);
  if (model) return describeBare(input, model);
  throw new ModelNotRunnableError(
    `there is no ${MODEL_FILE} at ${input.location}: version ${input.mv.version} of ${input.mv.name} is not a TF.js model (Fishlens runs tensorflowjs_converter output: model.json + weight shards)`,
  );
}
