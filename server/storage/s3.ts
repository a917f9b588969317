import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  ChecksumMismatchError,
  joinKey,
  ObjectNotFoundError,
  StorageUnavailableError,
  type GetOptions,
  type ObjectStore,
  type PutOptions,
} from './object-store.js';

/** How to reach an S3-compatible service (AWS, Yandex Object Storage, MinIO, s3rver). */
export interface S3Settings {
  endpoint?: string | undefined;
  region: string;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  forcePathStyle: boolean;
  /** Connect, first-byte and idle-socket timeout of every call. */
  timeoutMs: number;
}

/** One S3 client for the settings; shared by every store (bucket/prefix) on that service. */
export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.accessKeyId && settings.secretAccessKey
      ? {
          credentials: {
            accessKeyId: settings.accessKeyId,
            secretAccessKey: settings.secretAccessKey,
          },
        }
      : {}),
    // Since SDK 3.729 uploads carry a CRC32 trailer by default, which several S3-compatible
    // services reject (aws/aws-sdk-js-v3#6810); we send our own SHA-256 header instead.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
    requestHandler: { connectionTimeout: settings.timeoutMs, requestTimeout: settings.timeoutMs },
  });
}

/**
 * Model files in one bucket under `prefix`. Reads stream the response body straight through;
 * writes send `x-amz-checksum-sha256` so the service itself rejects a corrupted upload, and keep
 * the hex digest in the object's metadata.
 */
export function createS3ObjectStore(options: {
  client: S3Client;
  bucket: string;
  prefix?: string;
  timeoutMs: number;
}): ObjectStore {
  const { client, bucket, timeoutMs } = options;
  const prefix = options.prefix ?? '';
  const where = `s3://${bucket}/${prefix}`;
  const fullKey = (key: string) => joinKey(prefix, key);

  /** Runs one call with a deadline for its response headers; the body may stream for longer. */
  async function call<T>(
    key: string,
    signal: AbortSignal | undefined,
    run: (abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await run(controller.signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      throw translate(
        error,
        key,
        controller.signal.aborted ? `did not answer within ${timeoutMs} ms` : undefined,
      );
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  function translate(error: unknown, key: string, timedOut?: string): Error {
    if (timedOut)
      return new StorageUnavailableError(`object storage ${where} ${timedOut}`, { cause: error });
    if (error instanceof S3ServiceException) {
      const status = error.$metadata.httpStatusCode;
      if (status === 404 || error.name === 'NoSuchKey' || error.name === 'NotFound') {
        return new ObjectNotFoundError(key);
      }
      return new StorageUnavailableError(
        `object storage ${where} answered ${status ?? ''} ${error.name}: ${error.message}`.replace(
          /\s+/g,
          ' ',
        ),
        { cause: error },
      );
    }
    const reason = error instanceof Error ? error.message || error.name : String(error);
    return new StorageUnavailableError(`object storage ${where} is not reachable: ${reason}`, {
      cause: error,
    });
  }

  return {
    description: where,

    async get(key: string, opts: GetOptions = {}) {
      const range = opts.range ? `bytes=${opts.range.start}-${opts.range.end}` : undefined;
      const out = await call(key, opts.signal, (abortSignal) =>
        client.send(new GetObjectCommand({ Bucket: bucket, Key: fullKey(key), Range: range }), {
          abortSignal,
        }),
      );
      if (!out.Body)
        throw new StorageUnavailableError(`object storage ${where} sent no body for ${key}`);
      return out.Body.transformToWebStream() as ReadableStream<Uint8Array>;
    },

    async head(key: string, opts: { signal?: AbortSignal } = {}) {
      try {
        const out = await call(key, opts.signal, (abortSignal) =>
          client.send(new HeadObjectCommand({ Bucket: bucket, Key: fullKey(key) }), {
            abortSignal,
          }),
        );
        return { size: out.ContentLength ?? 0 };
      } catch (error) {
        if (error instanceof ObjectNotFoundError) return null;
        throw error;
      }
    },

    async put(key: string, sourcePath: string, opts: PutOptions) {
      // The digest is computed over the bytes actually sent, so a file changed between the
      // pack check and the upload is caught even by services that ignore the checksum header.
      const hash = createHash('sha256');
      const body = createReadStream(sourcePath).pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            hash.update(chunk);
            done(null, chunk);
          },
        }),
      );
      // No overall deadline: a large shard may take long; the socket idle timeout still applies.
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: fullKey(key),
            Body: body,
            ContentLength: opts.size,
            ContentType: opts.contentType,
            ChecksumSHA256: Buffer.from(opts.sha256, 'hex').toString('base64'),
            Metadata: { sha256: opts.sha256 },
          }),
          { abortSignal: opts.signal },
        );
      } catch (error) {
        if (opts.signal?.aborted) throw error;
        if (error instanceof S3ServiceException && error.name === 'BadDigest') {
          throw new ChecksumMismatchError(
            key,
            opts.sha256,
            'a different digest (rejected by the service)',
          );
        }
        throw translate(error, key);
      }
      const actual = hash.digest('hex');
      if (actual !== opts.sha256) {
        await client
          .send(new DeleteObjectCommand({ Bucket: bucket, Key: fullKey(key) }))
          .catch(() => {});
        throw new ChecksumMismatchError(key, opts.sha256, actual);
      }
    },
  };
}
