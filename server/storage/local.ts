import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ChecksumMismatchError,
  ObjectNotFoundError,
  type GetOptions,
  type ObjectStore,
  type PutOptions,
} from './object-store.js';

/**
 * The embedded default store: one file per key under `root` (DATA_DIR/model-files). Writes go to
 * a temporary file that is renamed into place only after its SHA-256 matched, so a reader never
 * sees a half-written or wrong file.
 */
export function createLocalObjectStore(root: string): ObjectStore {
  const base = resolve(root);
  const fileFor = (key: string): string => {
    const file = resolve(base, ...key.split('/'));
    // Keys are validated upstream; this is the last line against `..` escaping the root.
    if (!file.startsWith(base + sep)) throw new Error(`key escapes the store: ${key}`);
    return file;
  };

  return {
    description: `local files in ${base}`,

    async get(key: string, options: GetOptions = {}) {
      const file = fileFor(key);
      const stats = await stat(file).catch(() => null);
      if (!stats?.isFile()) throw new ObjectNotFoundError(key);
      const range = options.range;
      const stream = createReadStream(file, range ? { start: range.start, end: range.end } : {});
      if (options.signal) {
        const signal = options.signal;
        signal.addEventListener('abort', () => stream.destroy(signal.reason as Error), {
          once: true,
        });
      }
      return Readable.toWeb(stream) as ReadableStream<Uint8Array>;
    },

    async head(key: string) {
      const stats = await stat(fileFor(key)).catch(() => null);
      return stats?.isFile() ? { size: stats.size } : null;
    },

    async put(key: string, sourcePath: string, options: PutOptions) {
      const target = fileFor(key);
      await mkdir(dirname(target), { recursive: true });
      const temp = join(dirname(target), `.upload-${randomBytes(6).toString('hex')}`);
      const hash = createHash('sha256');
      try {
        await pipeline(
          createReadStream(sourcePath),
          new Transform({
            transform(chunk: Buffer, _encoding, done) {
              hash.update(chunk);
              done(null, chunk);
            },
          }),
          createWriteStream(temp),
          { signal: options.signal },
        );
        const actual = hash.digest('hex');
        if (actual !== options.sha256) throw new ChecksumMismatchError(key, options.sha256, actual);
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
  };
}
