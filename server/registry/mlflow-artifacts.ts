import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  ChecksumMismatchError,
  joinKey,
  ObjectNotFoundError,
  StorageUnavailableError,
  type GetOptions,
  type ObjectStore,
  type PutOptions,
} from '../storage/index.js';
import { createS3ObjectStore } from '../storage/s3.js';
import { MlflowAuthError, type MlflowClient } from './mlflow-client.js';
import { sha256File } from './pack.js';

/**
 * MLflow answered 500 for a file. Real servers do that for a file that is not there: the artifact
 * repository's download raises an MlflowException without an error code, INTERNAL_ERROR
 * (mlflow/store/artifact/artifact_repo.py `download_artifacts`; LocalArtifactRepository raises
 * OSError, which Flask turns into a bare 500). So it counts as missing, never as storage down.
 */
class ArtifactNotReadableError extends ObjectNotFoundError {
  constructor(key: string, via: string) {
    super(key);
    this.message = `MLflow's ${via} answered 500 for ${key}: the file is missing (or MLflow cannot read its artifact store)`;
  }
}

interface HttpStoreOptions {
  client: MlflowClient;
  /** The URL of one file. */
  urlFor: (key: string) => string;
  /** What answers, for messages: "artifact proxy". */
  via: string;
  description: string;
  timeoutMs: number;
}

/** An ObjectStore over MLflow's own file endpoints (the artifact proxy, model-versions/get-artifact). */
function createMlflowHttpStore(options: HttpStoreOptions): ObjectStore {
  const { client, urlFor, via, timeoutMs } = options;
  const base = client.settings.trackingUri.replace(/\/+$/, '');

  async function send(
    key: string,
    init: RequestInit & { duplex?: 'half' },
    signal: AbortSignal | undefined,
    deadline: boolean,
  ): Promise<Response> {
    const controller = new AbortController();
    const timer = deadline
      ? setTimeout(() => controller.abort(new Error('timeout')), timeoutMs)
      : undefined;
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await fetch(urlFor(key), {
        ...init,
        headers: { ...client.authHeaders(), ...(init.headers as Record<string, string>) },
        signal: controller.signal,
      });
      if (!response.ok && response.status !== 206) {
        await response.body?.cancel();
        if (response.status === 404) throw new ObjectNotFoundError(key);
        if (response.status === 500) throw new ArtifactNotReadableError(key, via);
        if (response.status === 401 || response.status === 403)
          throw new MlflowAuthError(response.status, base, client.settings, `${via} ${key}`);
        throw new StorageUnavailableError(`MLflow's ${via} answered ${response.status} for ${key}`);
      }
      return response;
    } catch (error) {
      if (
        error instanceof ObjectNotFoundError ||
        error instanceof StorageUnavailableError ||
        error instanceof MlflowAuthError
      )
        throw error;
      if (signal?.aborted) throw signal.reason ?? error;
      const reason = controller.signal.aborted
        ? `did not answer within ${timeoutMs} ms`
        : `is not reachable: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`;
      throw new StorageUnavailableError(`MLflow's ${via} at ${base} ${reason}`, { cause: error });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    description: options.description,

    async get(key: string, getOptions: GetOptions = {}) {
      const range = getOptions.range;
      const response = await send(
        key,
        { headers: range ? { Range: `bytes=${range.start}-${range.end}` } : {} },
        getOptions.signal,
        true,
      );
      if (!response.body)
        throw new StorageUnavailableError(`MLflow's ${via} sent no body for ${key}`);
      if (!range || response.status === 206) return response.body as ReadableStream<Uint8Array>;
      return response.body.pipeThrough(sliceBytes(range.start, range.end + 1));
    },

    async head(key: string, headOptions: { signal?: AbortSignal } = {}) {
      try {
        const response = await send(key, { method: 'HEAD' }, headOptions.signal, true);
        return { size: Number(response.headers.get('content-length') ?? 0) };
      } catch (error) {
        if (error instanceof ObjectNotFoundError) return null;
        throw error;
      }
    },

    async put(key: string, sourcePath: string, putOptions: PutOptions) {
      // The proxy checks nothing, so the file is hashed here first.
      const actual = await sha256File(sourcePath);
      if (actual !== putOptions.sha256)
        throw new ChecksumMismatchError(key, putOptions.sha256, actual);
      const body = Readable.toWeb(createReadStream(sourcePath)) as ReadableStream<Uint8Array>;
      const response = await send(
        key,
        {
          method: 'PUT',
          body,
          duplex: 'half',
          headers: {
            'Content-Type': putOptions.contentType,
            'Content-Length': String(putOptions.size),
          },
        },
        putOptions.signal,
        false,
      );
      await response.body?.cancel();
    },
  };
}

/** Passes on bytes [from, to) of a stream, dropping the rest. */
function sliceBytes(from: number, to: number): TransformStream<Uint8Array, Uint8Array> {
  let offset = 0;
  return new TransformStream({
    transform(chunk, controller) {
      const start = Math.max(from - offset, 0);
      const end = Math.min(to - offset, chunk.length);
      if (start < end) controller.enqueue(chunk.subarray(start, end));
      offset += chunk.length;
      if (offset >= to) controller.terminate();
    },
  });
}

const trackingBase = (client: MlflowClient) => client.settings.trackingUri.replace(/\/+$/, '');
const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

/**
 * Files under an `mlflow-artifacts:/<path>` URI, through the tracking server's artifact proxy
 * (`/api/2.0/mlflow-artifacts/artifacts/<path>`, `mlflow server --serve-artifacts`, the default
 * since 2.x). The proxy streams whole files (no Range, no Content-Length); the wanted bytes are
 * cut from the stream.
 */
export function createMlflowProxyStore(
  client: MlflowClient,
  artifactPath: string,
  timeoutMs: number,
): ObjectStore {
  const base = `${trackingBase(client)}/api/2.0/mlflow-artifacts/artifacts`;
  return createMlflowHttpStore({
    client,
    timeoutMs,
    via: 'artifact proxy',
    description: `mlflow-artifacts:/${artifactPath} via ${base}`,
    urlFor: (key) => `${base}/${encodePath(joinKey(artifactPath, key))}`,
  });
}

/**
 * A version's files through `GET /model-versions/get-artifact?name=&version=&path=`: MLflow reads
 * them from wherever the version's source is (file:, gs:, wasbs:, hdfs:…) and sends them with
 * Content-Length and Range (mlflow/server/__init__.py, handlers.py
 * `get_model_version_artifact_handler`). Read only: MLflow has no upload for it.
 */
export function createModelVersionArtifactStore(
  client: MlflowClient,
  version: { name: string; version: number; uri: string; prefix?: string },
  timeoutMs: number,
): ObjectStore {
  const base = `${trackingBase(client)}/model-versions/get-artifact`;
  const store = createMlflowHttpStore({
    client,
    timeoutMs,
    via: 'model-versions/get-artifact',
    description: `${version.uri} via ${base}`,
    urlFor: (key) =>
      `${base}?${new URLSearchParams({
        name: version.name,
        version: String(version.version),
        path: joinKey(version.prefix ?? '', key),
      }).toString()}`,
  });
  return {
    ...store,
    put: () =>
      Promise.reject(
        new StorageUnavailableError(`${version.uri} is read-only for Fishlens (no upload)`),
      ),
  };
}

/**
 * The store holding the files under an artifact URI: `s3://bucket/prefix` (S3 client with the S3_*
 * settings), `mlflow-artifacts:/path` or `mlflow-artifacts://host/path` (the proxy), anything
 * else (file:, gs:, wasbs:…) through model-versions/get-artifact when the version is known.
 */
export function storeForArtifactUri(
  uri: string,
  deps: {
    client: MlflowClient;
    s3: () => S3Client;
    timeoutMs: number;
    /** The registered version whose files these are: for sources only MLflow can read. */
    version?: { name: string; version: number; prefix?: string };
  },
): ObjectStore {
  const s3 = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (s3?.[1]) {
    return createS3ObjectStore({
      client: deps.s3(),
      bucket: s3[1],
      prefix: s3[2] ?? '',
      timeoutMs: deps.timeoutMs,
    });
  }
  const proxied = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(uri);
  if (proxied) return createMlflowProxyStore(deps.client, proxied[1] ?? '', deps.timeoutMs);
  if (deps.version)
    return createModelVersionArtifactStore(deps.client, { ...deps.version, uri }, deps.timeoutMs);
  throw new StorageUnavailableError(
    `artifacts at ${uri.split(':')[0]}: URIs are read through MLflow only for registered versions; Fishlens uploads to s3:// and mlflow-artifacts:/ artifact roots`,
  );
}
