/**
 * Where an MLflow model version's files are. `source` as MLflow stores it:
 * - `runs:/<run>/<path>`: the run's artifact URI (runs/get) + path;
 * - `models:/m-<id>` (MLflow 3.x `log_model(..., registered_model_name=…)`, mlflow/models/model.py):
 *   `model-versions/get-download-uri` (the logged model's storage location in 3.x, the source in
 *   2.x: mlflow/store/model_registry/sqlalchemy_store.py `get_model_version_download_uri`), else
 *   `logged-models/{id}` → `model.info.artifact_uri`; the version's `model_id` field is not filled
 *   by the SQL store, so the id is read from `source`;
 * - `s3://…`, `mlflow-artifacts:/…`: as is; anything else is read through MLflow
 *   (model-versions/get-artifact).
 */
import { isNotFound, type MlflowClient, type MlflowModelVersion } from './mlflow-client.js';

const trimSlashes = (uri: string) => uri.replace(/\/+$/, '');

/** The artifact URI of the folder holding a version's files. */
export async function resolveVersionUri(
  client: MlflowClient,
  mv: MlflowModelVersion,
  signal?: AbortSignal,
): Promise<string> {
  const source = mv.source ?? '';
  const runs = /^runs:\/([^/]+)\/?(.*)$/.exec(source);
  if (runs) {
    const { run } = await client.get<{ run: { info: { artifact_uri: string } } }>(
      'runs/get',
      { run_id: runs[1] ?? '' },
      signal,
    );
    return trimSlashes(`${trimSlashes(run.info.artifact_uri)}/${runs[2] ?? ''}`);
  }
  if (!source.startsWith('models:/')) return trimSlashes(source);
  try {
    const { artifact_uri: uri } = await client.get<{ artifact_uri?: string }>(
      'model-versions/get-download-uri',
      { name: mv.name, version: String(mv.version) },
      signal,
    );
    if (uri && !uri.startsWith('models:/')) return trimSlashes(uri);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const id = /^models:\/(m-[0-9a-f]+)(?:\/|$)/.exec(source)?.[1];
  if (!id) return source;
  const { model } = await client.get<{ model: { info: { artifact_uri: string } } }>(
    `logged-models/${id}`,
    {},
    signal,
  );
  return trimSlashes(model.info.artifact_uri);
}

/** The version's tags, over its run's tags (`fishlens.labels`, `fishlens.preprocess`). */
export async function versionTags(
  client: MlflowClient,
  mv: MlflowModelVersion,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  if (mv.run_id) {
    type RunTags = { run: { data?: { tags?: { key: string; value: string }[] } } };
    const found: RunTags = await client
      .get<RunTags>('runs/get', { run_id: mv.run_id }, signal)
      .catch((error: unknown) => {
        // A deleted run only loses its tags; the version stands on its own.
        if (isNotFound(error)) return { run: {} };
        throw error;
      });
    for (const { key, value } of found.run.data?.tags ?? []) tags[key] = value;
  }
  for (const { key, value } of mv.tags ?? []) tags[key] = value;
  return tags;
}
