/**
 * Where model files live: a flat key → bytes store with streaming reads (byte ranges too),
 * head, and checksum-verified writes. Implemented by S3-compatible storage (s3.ts), local files
 * (local.ts, the embedded default) and MLflow's artifact proxy (registry/mlflow-artifacts.ts).
 */

/** An inclusive byte range, as in an HTTP `Range: bytes=start-end` header. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface GetOptions {
  range?: ByteRange | undefined;
  signal?: AbortSignal | undefined;
}

export interface PutOptions {
  /** Hex SHA-256 of the content; the store refuses or discards content that does not match. */
  sha256: string;
  size: number;
  contentType: string;
  signal?: AbortSignal | undefined;
}

/** A key → bytes store. Keys are `/`-separated and already validated by the caller. */
export interface ObjectStore {
  /** Where the files are, for logs and errors; never includes credentials. */
  readonly description: string;
  /** Streams an object (or one byte range of it); throws ObjectNotFoundError when missing. */
  get(key: string, options?: GetOptions): Promise<ReadableStream<Uint8Array>>;
  /** Size of an object, or null when it does not exist. */
  head(key: string, options?: { signal?: AbortSignal }): Promise<{ size: number } | null>;
  /** Stores the local file `sourcePath` under `key`, verifying its SHA-256. */
  put(key: string, sourcePath: string, options: PutOptions): Promise<void>;
}

/** The object does not exist in the store. */
export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no object at ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

/** The store could not be reached or did not answer in time; the message says why. */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

/** Content written to the store did not have the SHA-256 it was announced with. */
export class ChecksumMismatchError extends Error {
  constructor(
    readonly key: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${key}: expected sha256 ${expected}, got ${actual}`);
    this.name = 'ChecksumMismatchError';
  }
}

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  bin: 'application/octet-stream',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
};

/** The Content-Type of a pack file by its extension: JSON for .json, octet-stream for shards. */
export function contentTypeFor(path: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** Joins key parts with single slashes (`models/`, `river-fish/abc`, `model.json`). */
export function joinKey(...parts: string[]): string {
  return parts
    .filter((part) => part !== '')
    .map((part, i) => (i === 0 ? part.replace(/\/+$/, '') : part.replace(/^\/+|\/+$/g, '')))
    .join('/');
}
