import type { S3Client } from '@aws-sdk/client-s3';
import type { ModelSummary } from '../../shared/models-api.js';
import {
  ObjectNotFoundError,
  StorageUnavailableError,
  type ObjectStore,
} from '../storage/index.js';
import { storeForArtifactUri } from './mlflow-artifacts.js';
import {
  isNotFound,
  MlflowApiError,
  MlflowAuthError,
  searchPages,
  type MlflowClient,
  type MlflowModelVersion,
  type MlflowRegisteredModel,
} from './mlflow-client.js';
import { describeVersionFiles, type VersionFacts } from './mlflow-describe.js';
import { summaryFromMetadata } from './summary.js';
import { createPackVersion, findByDigest } from './mlflow-publish.js';
import { resolveVersionUri, versionTags } from './mlflow-source.js';
import { ModelNotRunnableError, type ModelRegistry, type ModelVersion } from './types.js';

/** How long getVersion reuses an answer (aliases may lag by this much on /versions/{n}). */
const VERSION_TTL_MS = 10_000;
/** How long "not a runnable model" is remembered: a file uploaded later is seen after this. */
const NOT_RUNNABLE_TTL_MS = 60_000;

export interface MlflowRegistryOptions {
  client: MlflowClient;
  /** The S3 client for `s3://` artifact sources (made on first use). */
  s3: () => S3Client;
  storageTimeoutMs: number;
  /** Experiment of the runs that `publish` creates to hold uploaded packs. */
  experimentId: string;
}

/**
 * The model registry of an MLflow tracking server, 2.x or 3.x (REST API 2.0). A version's files
 * are found from its `source` (mlflow-source.ts) and read once: a Fishlens pack, or a bare TF.js
 * export that the registry describes itself (mlflow-describe.ts); the result is cached, since
 * versions are immutable. See README.md in this folder.
 */
export function createMlflowRegistry(options: MlflowRegistryOptions): ModelRegistry {
  const { client } = options;
  const cache = new Map<string, Promise<VersionFacts>>();
  const recentVersions = new Map<string, { version: ModelVersion; until: number }>();
  const stores = new Map<string, ObjectStore>();
  const storeFor = (uri: string, version?: { name: string; version: number }): ObjectStore => {
    const key = version ? `${uri}\n${version.name}\n${version.version}` : uri;
    let store = stores.get(key);
    if (!store) {
      store = storeForArtifactUri(uri, {
        client,
        s3: options.s3,
        timeoutMs: options.storageTimeoutMs,
        ...(version ? { version } : {}),
      });
      if (stores.size > 500) stores.clear();
      stores.set(key, store);
    }
    return store;
  };
  const versionStore = (v: Pick<ModelVersion, 'name' | 'version' | 'location'>) =>
    storeFor(v.location, { name: v.name, version: v.version });

  /**
   * The immutable part of a version, from its files; cached per name, version and source. Shared
   * by concurrent requests, so it runs on its own timeouts rather than one caller's signal.
   */
  function describe(mv: MlflowModelVersion): Promise<VersionFacts> {
    const key = `${mv.name}\n${mv.version}\n${mv.source ?? ''}`;
    let pending = cache.get(key);
    if (!pending) {
      pending = (async () => {
        const location = await resolveVersionUri(client, mv);
        const store = storeFor(location, { name: mv.name, version: Number(mv.version) });
        return describeVersionFiles({
          mv,
          store,
          location,
          tags: () => versionTags(client, mv),
        });
      })();
      cache.set(key, pending);
      // MLflow or storage being down is not remembered; "not a model" is, for a while.
      pending.catch((error: unknown) => {
        if (error instanceof ModelNotRunnableError)
          setTimeout(() => cache.delete(key), NOT_RUNNABLE_TTL_MS).unref();
        else cache.delete(key);
      });
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
      // A missing model answers 404; a missing alias 400 INVALID_PARAMETER_VALUE
      // (sqlalchemy_store.py get_model_version_by_alias).
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

  /** One list entry; a version that cannot run is listed as unusable, with its reason. */
  async function summary(model: MlflowRegisteredModel, alias: string, signal?: AbortSignal) {
    const target = model.aliases?.find((a) => a.alias === alias);
    if (!target) return null;
    const found = await getModelVersion(model.name, Number(target.version), signal);
    if (!found) return null;
    const mv = found.model_version;
    try {
      const v = await describe(mv);
      return {
        name: v.name,
        version: v.version,
        alias,
        createdAt: v.createdAt,
        sizeBytes: v.sizeBytes,
        labelCount: v.labelCount,
        description: v.description,
        ...summaryFromMetadata(v.metadata),
      } satisfies ModelSummary;
    } catch (error) {
      // One bad version must not hide the others: its files missing or unreadable, not a model,
      // or out of this user's reach (403 on its artifacts; a refused login fails the whole list).
      const unusable =
        error instanceof ModelNotRunnableError ||
        error instanceof StorageUnavailableError ||
        error instanceof ObjectNotFoundError ||
        (error instanceof MlflowAuthError && error.status === 403);
      if (!unusable) throw error;
      return {
        name: mv.name,
        version: Number(mv.version),
        alias,
        createdAt: new Date(Number(mv.creation_timestamp ?? 0)).toISOString(),
        sizeBytes: 0,
        labelCount: 0,
        description: mv.description ?? '',
        unusable: error.message,
      } satisfies ModelSummary;
    }
  }

  return {
    kind: 'mlflow',
    description: `MLflow registry at ${client.settings.trackingUri}`,

    async listModels(alias, signal) {
      const models: MlflowRegisteredModel[] = [];
      const pages = searchPages<{ registered_models?: MlflowRegisteredModel[] }>(
        client,
        'registered-models/search',
        { max_results: '1000' },
        signal,
      );
      for await (const page of pages) models.push(...(page.registered_models ?? []));
      const entries = await Promise.all(models.map((model) => summary(model, alias, signal)));
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

    async openFile(version, path, opts) {
      const generated = version.generatedFiles?.get(path);
      if (!generated) return versionStore(version).get(path, opts);
      const bytes = opts?.range
        ? generated.subarray(opts.range.start, opts.range.end + 1)
        : generated;
      return new Response(bytes).body as ReadableStream<Uint8Array>;
    },
    async headFile(version, path, signal) {
      const generated = version.generatedFiles?.get(path);
      if (generated) return { size: generated.length };
      return versionStore(version).head(path, { signal });
    },

    async setAlias(name, alias, version, signal) {
      if (!(await getModelVersion(name, version, signal))) return false;
      await client.post(
        'registered-models/alias',
        { name, alias, version: String(version) },
        signal,
      );
      recentVersions.clear();
      return true;
    },

    async publish(pack, { name, alias, signal }) {
      const existing = await findByDigest(client, name, pack.digest, signal);
      if (existing) {
        // Search results leave out aliases; the get call has them.
        const full = await getModelVersion(name, Number(existing.version), signal);
        return { version: await toVersion(full?.model_version ?? existing), created: false };
      }
      const created = await createPackVersion(
        client,
        { experimentId: options.experimentId, storeFor: (uri) => storeFor(uri) },
        pack,
        { name, alias, signal },
      );
      recentVersions.clear();
      return { version: await toVersion(created), created: true };
    },
  };
}
