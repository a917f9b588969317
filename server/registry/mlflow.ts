import type { S3Client } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import {
  MANIFEST_FILE,
  manifestSchema,
  METADATA_FILE,
  metadataSchema,
  type PackManifest,
} from '../../shared/pack.js';
import { contentTypeFor, type ObjectStore } from '../storage/index.js';
import { storeForArtifactUri } from './mlflow-artifacts.js';
import {
  isNotFound,
  MlflowApiError,
  type MlflowClient,
  type MlflowModelVersion,
  type MlflowRegisteredModel,
} from './mlflow-client.js';
import type { VerifiedPack } from './pack.js';
import type { ModelSummary } from '../../shared/models-api.js';
import { summaryFromMetadata } from './summary.js';
import { RegistryUnavailableError, type ModelRegistry, type ModelVersion } from './types.js';

/** Tag on every version `publish-model` creates: the sha256 of the pack's manifest.json. */
export const PACK_DIGEST_TAG = 'fishlens.pack_sha256';
/** How long getVersion reuses an answer (aliases may lag by this much on /versions/{n}). */
const VERSION_TTL_MS = 10_000;
/** Artifact folder of the pack inside a run: `mlflow.log_artifacts(pack_dir, "tfjs")`. */
export const PACK_ARTIFACT_PATH = 'tfjs';

export interface MlflowRegistryOptions {
  client: MlflowClient;
  /** The S3 client for `s3://` artifact sources (made on first use). */
  s3: () => S3Client;
  storageTimeoutMs: number;
  /** Experiment of the runs that `publish` creates to hold uploaded packs. */
  experimentId: string;
}

/**
 * The model registry of an MLflow tracking server (REST API 2.x). A version's `source` is the
 * artifact folder of a Fishlens pack (s3://… or mlflow-artifacts:/…, or runs:/<id>/<path>);
 * its manifest.json and metadata.json are read from there once and cached, since versions are
 * immutable. See README.md in this folder for the artifact layout.
 */
export function createMlflowRegistry(options: MlflowRegistryOptions): ModelRegistry {
  const { client } = options;
  const cache = new Map<string, Promise<Omit<ModelVersion, 'aliases'>>>();
  const recentVersions = new Map<string, { version: ModelVersion; until: number }>();
  const stores = new Map<string, ObjectStore>();
  const storeFor = (uri: string): ObjectStore => {
    let store = stores.get(uri);
    if (!store) {
      store = storeForArtifactUri(uri, {
        client,
        s3: options.s3,
        timeoutMs: options.storageTimeoutMs,
      });
      if (stores.size > 500) stores.clear();
      stores.set(uri, store);
    }
    return store;
  };

  async function resolveSource(mv: MlflowModelVersion, signal?: AbortSignal): Promise<string> {
    const source = mv.source ?? '';
    const runs = /^runs:\/([^/]+)\/?(.*)$/.exec(source);
    if (!runs) return source;
    const { run } = await client.get<{ run: { info: { artifact_uri: string } } }>(
      'runs/get',
      { run_id: runs[1] ?? '' },
      signal,
    );
    return `${run.info.artifact_uri.replace(/\/+$/, '')}/${runs[2] ?? ''}`.replace(/\/+$/, '');
  }

  async function readJson(
    store: ObjectStore,
    file: string,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const text = await new Response(await store.get(file, { signal })).text();
    return JSON.parse(text) as unknown;
  }

  /**
   * The immutable part of a version, from its artifacts; cached per name, version and source.
   * Shared by concurrent requests, so it runs on its own timeouts rather than one caller's signal.
   */
  function describe(mv: MlflowModelVersion): Promise<Omit<ModelVersion, 'aliases'>> {
    const key = `${mv.name}\n${mv.version}\n${mv.source ?? ''}`;
    let pending = cache.get(key);
    if (!pending) {
      pending = (async () => {
        const location = await resolveSource(mv);
        const store = storeFor(location);
        let manifest: PackManifest;
        let metadata: Record<string, unknown>;
        try {
          manifest = manifestSchema.parse(await readJson(store, MANIFEST_FILE));
          metadata = (await readJson(store, METADATA_FILE)) as Record<string, unknown>;
        } catch (error) {
          if (
            error instanceof RegistryUnavailableError ||
            (error as Error).name === 'StorageUnavailableError'
          )
            throw error;
          throw new RegistryUnavailableError(
            `MLflow version ${mv.version} of ${mv.name} is not a Fishlens pack at ${location}: ${(error as Error).message}`,
          );
        }
        const parsed = metadataSchema.safeParse(metadata);
        return {
          name: mv.name,
          version: Number(mv.version),
          createdAt: new Date(Number(mv.creation_timestamp ?? 0)).toISOString(),
          metadata,
          files: manifest.files,
          description: parsed.success ? parsed.data.description : (mv.description ?? ''),
          labelCount: parsed.success ? parsed.data.labels.length : 0,
          sizeBytes: manifest.files.reduce((sum, f) => sum + f.size, 0),
          location,
        };
      })();
      cache.set(key, pending);
      // A failure (MLflow or storage down) must not be remembered.
      pending.catch(() => cache.delete(key));
    }
    return pending;
  }

  async function toVersion(mv: MlflowModelVersion): Promise<ModelVersion> {
    return { ...(await describe(mv)), aliases: [...(mv.aliases ?? [])].sort() };
  }

  async function getOrNull<T>(run: () => Promise<T>): Promise<T | null> {
    try {
      return await run();
    } catch (error) {
      if (isNotFound(error)) return null;
      if (error instanceof MlflowApiError && error.errorCode === 'INVALID_PARAMETER_VALUE')
        return null;
      throw error;
    }
  }

  const getModelVersion = (name: string, version: number, signal?: AbortSignal) =>
    getOrNull(() =>
      client.get<{ model_version: MlflowModelVersion }>(
        'model-versions/get',
        { name, version: String(version) },
        signal,
      ),
    );

  return {
    kind: 'mlflow',
    description: `MLflow registry at ${client.settings.trackingUri}`,

    async listModels(alias, signal) {
      const models: MlflowRegisteredModel[] = [];
      let pageToken: string | undefined;
      do {
        const page = await client.get<{
          registered_models?: MlflowRegisteredModel[];
          next_page_token?: string;
        }>(
          'registered-models/search',
          { max_results: '1000', ...(pageToken ? { page_token: pageToken } : {}) },
          signal,
        );
        models.push(...(page.registered_models ?? []));
        pageToken = page.next_page_token || undefined;
      } while (pageToken);
      const entries = await Promise.all(
        models.map(async (model): Promise<ModelSummary | null> => {
          const target = model.aliases?.find((a) => a.alias === alias);
          if (!target) return null;
          const mv = await getModelVersion(model.name, Number(target.version), signal);
          if (!mv) return null;
          const v = await describe(mv.model_version).catch((error: unknown) => {
            // One model whose artifacts are not a pack must not hide the others.
            if (
              error instanceof RegistryUnavailableError &&
              /not a Fishlens pack/.test(error.message)
            )
              return null;
            throw error;
          });
          if (!v) return null;
          return {
            name: v.name,
            version: v.version,
            alias,
            createdAt: v.createdAt,
            sizeBytes: v.sizeBytes,
            labelCount: v.labelCount,
            description: v.description,
            ...summaryFromMetadata(v.metadata),
          };
        }),
      );
      return entries
        .filter((e): e is ModelSummary => e !== null)
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    async getVersionByAlias(name, alias, signal) {
      const found = await getOrNull(() =>
        client.get<{ model_version: MlflowModelVersion }>(
          'registered-models/alias',
          { name, alias },
          signal,
        ),
      );
      return found ? toVersion(found.model_version) : null;
    },

    async getVersion(name, version, signal) {
      // Every file request of a pack looks its version up; a few seconds of reuse spares MLflow
      // one call per shard. Only the aliases can be stale, and only for VERSION_TTL_MS.
      const key = `${name}\n${version}`;
      const recent = recentVersions.get(key);
      if (recent && recent.until > Date.now()) return recent.version;
      const found = await getModelVersion(name, version, signal);
      const result = found ? await toVersion(found.model_version) : null;
      if (result) {
        if (recentVersions.size > 1000) recentVersions.clear();
        recentVersions.set(key, { version: result, until: Date.now() + VERSION_TTL_MS });
      }
      return result;
    },

    openFile: (version, path, opts) => storeFor(version.location).get(path, opts),
    headFile: (version, path, signal) => storeFor(version.location).head(path, { signal }),

    async setAlias(name, alias, version, signal) {
      if (!(await getModelVersion(name, version, signal))) return false;
      await client.post(
        'registered-models/alias',
        { name, alias, version: String(version) },
        signal,
      );
      return true;
    },

    async publish(pack: VerifiedPack, { name, alias, signal }) {
      const existing = await findByDigest(name, pack.digest, signal);
      if (existing) return { version: await toVersion(existing), created: false };

      const { run } = await client.post<{
        run: { info: { run_id: string; artifact_uri: string } };
      }>(
        'runs/create',
        {
          experiment_id: options.experimentId,
          run_name: `publish ${name}`,
          start_time: Date.now(),
          tags: [{ key: 'mlflow.source.name', value: 'fishlens publish-model' }],
        },
        signal,
      );
      const source = `${run.info.artifact_uri.replace(/\/+$/, '')}/${PACK_ARTIFACT_PATH}`;
      const store = storeFor(source);
      for (const file of [
        ...pack.manifest.files,
        { path: MANIFEST_FILE, size: pack.manifestBytes.length, sha256: pack.digest },
      ]) {
        await store.put(file.path, join(pack.dir, ...file.path.split('/')), {
          sha256: file.sha256,
          size: file.size,
          contentType: contentTypeFor(file.path),
          signal,
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
        recentVersions.clear();
      }
      const version = await toVersion({ ...model_version, aliases: alias ? [alias] : [] });
      return { version, created: true };
    },
  };

  async function findByDigest(
    name: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<MlflowModelVersion | null> {
    let pageToken: string | undefined;
    do {
      const page = await client.get<{
        model_versions?: MlflowModelVersion[];
        next_page_token?: string;
      }>(
        'model-versions/search',
        {
          filter: `name='${name}'`,
          max_results: '200',
          ...(pageToken ? { page_token: pageToken } : {}),
        },
        signal,
      );
      const hit = page.model_versions?.find((mv) =>
        mv.tags?.some((t) => t.key === PACK_DIGEST_TAG && t.value === digest),
      );
      if (hit) {
        // Search results may leave out aliases; the get call has them.
        const full = await getModelVersion(name, Number(hit.version), signal);
        return full?.model_version ?? hit;
      }
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
    return null;
  }
}
