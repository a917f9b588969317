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
import type { MlflowClient } from './mlflow-client.js';
import { sha256File } from './pack.js';

/**
 * Files under an `mlflow-artifacts:/<path>` URI, through the tracking server's artifact proxy
 * (`/api/2.0/mlflow-artifacts/artifacts/<path>`, `mlflow server --serve-artifacts`, the 2.x default).
 * The proxy may ignore Range; then the wanted bytes are cut from the full response as it streams.
 */
export function createMlflowProxyStore(
  client: MlflowClient,
  artifactPath: string,
  timeoutMs: number,
): ObjectStore {
  const base = `${client.settings.trackingUri.replace(/\/+$/, '')}/api/2.0/mlflow-artifacts/artifacts`;
  const urlFor = (key: string) =>
    `${base}/${joinKey(artifactPath, key).split('/').map(encodeURIComponent).join('/')}`;

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
      if (response.status === 404) {
        await response.body?.cancel();
        throw new ObjectNotFoundError(key);
      }
      if (!response.ok && response.status !== 206) {
        await response.body?.cancel();
        throw new StorageUnavailableError(
          `MLflow artifact proxy answered ${response.status} for ${key}`,
        );
      }
      return response;
    } catch (error) {
      if (error instanceof ObjectNotFoundError || error instanceof StorageUnavailableError)
        throw error;
      if (signal?.aborted) throw signal.reason ?? error;
      const reason = controller.signal.aborted
        ? `did not answer within ${timeoutMs} ms`
        : `is not reachable: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`;
      throw new StorageUnavailableError(`MLflow artifact proxy at ${base} ${reason}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    description: `mlflow-artifacts:/${artifactPath} via ${base}`,

    async get(key: string, options: GetOptions = {}) {
      const range = options.range;
      const response = await send(
        key,
        { headers: range ? { Range: `bytes=${range.start}-${range.end}` } : {} },
        options.signal,
        true,
      );
      if (!response.body)
        throw new StorageUnavailableError(`MLflow artifact proxy sent no body for ${key}`);
      if (!range || response.status === 206) return response.body as ReadableStream<Uint8Array>;
      return response.body.pipeThrough(sliceBytes(range.start, range.end + 1));
    },

    async head(key: string, options: { signal?: AbortSignal } = {}) {
      try {
        const response = await send(key, { method: 'HEAD' }, options.signal, true);
        return { size: Number(response.headers.get('content-length') ?? 0) };
      } catch (error) {
        if (error instanceof ObjectNotFoundError) return null;
        throw error;
      }
    },

    async put(key: string, sourcePath: string, options: PutOptions) {
      // The proxy checks nothing, so the file is hashed here first.
      const actual = await sha256File(sourcePath);
      if (actual !== options.sha256) throw new ChecksumMismatchError(key, options.sha256, actual);
      const body = Readable.toWeb(createReadStream(sourcePath)) as ReadableStream<Uint8Array>;
      const response = await send(
        key,
        {
          method: 'PUT',
          body,
          duplex: 'half',
          headers: { 'Content-Type': options.contentType, 'Content-Length': String(options.size) },
        },
        options.signal,
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

/**
 * The store holding the files under an artifact URI: `s3://bucket/prefix` (S3 client with the
 * S3_* settings) or `mlflow-artifacts:/path` / `mlflow-artifacts://host/path` (the proxy).
 */
export function storeForArtifactUri(
  uri: string,
  deps: { client: MlflowClient; s3: () => S3Client; timeoutMs: number },
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
  throw new StorageUnavailableError(
    `artifacts at ${uri.split(':')[0]}: URIs are not supported; Fishlens reads s3:// and mlflow-artifacts:/ sources`,
  );
}
