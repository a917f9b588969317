/**
 * Publishing a verified pack to MLflow through the REST API, as a Python job would: a run in
 * MLFLOW_EXPERIMENT_ID holds the files under `tfjs/` (uploaded through the artifact proxy or to
 * S3), then `model-versions/create` with that folder as `source` (MLflow passes a plain source
 * through on 2.x and 3.x alike: mlflow/tracking/client.py), tagged with the pack's digest so the
 * same pack published again is found instead of registered twice.
 */
import { join } from 'node:path';
import { MANIFEST_FILE } from '../../shared/pack.js';
import { contentTypeFor, type ObjectStore } from '../storage/index.js';
import {
  MlflowApiError,
  searchPages,
  type MlflowClient,
  type MlflowModelVersion,
} from './mlflow-client.js';
import type { VerifiedPack } from './pack.js';

/** Tag on every version `publish-model` creates: the sha256 of the pack's manifest.json. */
export const PACK_DIGEST_TAG = 'fishlens.pack_sha256';
/** Artifact folder of the pack inside a run: `mlflow.log_artifacts(pack_dir, "tfjs")`. */
const PACK_ARTIFACT_PATH = 'tfjs';

/** The version of `name` holding the pack with this manifest digest, or null. */
export async function findByDigest(
  client: MlflowClient,
  name: string,
  digest: string,
  signal?: AbortSignal,
): Promise<MlflowModelVersion | null> {
  const pages = searchPages<{ model_versions?: MlflowModelVersion[] }>(
    client,
    'model-versions/search',
    {
      filter: `name='${name.replace(/'/g, "\\'")}' and tags.\`${PACK_DIGEST_TAG}\`='${digest}'`,
      max_results: '200',
    },
    signal,
  );
  for await (const page of pages) {
    const hit = page.model_versions?.find((mv) =>
      mv.tags?.some((t) => t.key === PACK_DIGEST_TAG && t.value === digest),
    );
    if (hit) return hit;
  }
  return null;
}

/** Uploads the pack into a new run and registers it as the next version of `name`. */
export async function createPackVersion(
  client: MlflowClient,
  deps: { experimentId: string; storeFor: (uri: string) => ObjectStore },
  pack: VerifiedPack,
  options: { name: string; alias?: string | undefined; signal?: AbortSignal | undefined },
): Promise<MlflowModelVersion> {
  const { name, alias, signal } = options;
  const { run } = await client.post<{
    run: { info: { run_id: string; artifact_uri: string } };
  }>(
    'runs/create',
    {
      experiment_id: deps.experimentId,
      run_name: `publish ${name}`,
      start_time: Date.now(),
      tags: [{ key: 'mlflow.source.name', value: 'fishlens publish-model' }],
    },
    signal,
  );
  const source = `${run.info.artifact_uri.replace(/\/+$/, '')}/${PACK_ARTIFACT_PATH}`;
  const store = deps.storeFor(source);
  for (const file of [
    ...pack.manifest.files,
    { path: MANIFEST_FILE, size: pack.manifestBytes.length, sha256: pack.digest },
  ]) {
    await store.put(file.path, join(pack.dir, ...file.path.split('/')), {
      sha256: file.sha256,
      size: file.size,
      contentType: contentTypeFor(file.path),
      ...(signal ? { signal } : {}),
    });
  }
  await client.post(
    'runs/update',
    { run_id: run.info.run_id, status: 'FINISHED', end_time: Date.now() },
    signal,
  );
  try {
    await client.post('registered-models/create', { name }, signal);
  } catch (error) {
    if (!(error instanceof MlflowApiError && error.errorCode === 'RESOURCE_ALREADY_EXISTS'))
      throw error;
  }
  const { model_version } = await client.post<{ model_version: MlflowModelVersion }>(
    'model-versions/create',
    {
      name,
      source,
      run_id: run.info.run_id,
      description: pack.metadata.description,
      tags: [{ key: PACK_DIGEST_TAG, value: pack.digest }],
    },
    signal,
  );
  if (alias) {
    await client.post(
      'registered-models/alias',
      { name, alias, version: model_version.version },
      signal,
    );
  }
  return { ...model_version, aliases: alias ? [alias] : [] };
}
