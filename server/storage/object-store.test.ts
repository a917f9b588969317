import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalObjectStore } from './local.js';
import {
  ChecksumMismatchError,
  ObjectNotFoundError,
  StorageUnavailableError,
  type ObjectStore,
} from './object-store.js';
import { createS3Client, createS3ObjectStore } from './s3.js';
import { startTestS3Server, unreachableS3Store, type TestS3Server } from './testing/s3-server.js';

const tmp = mkdtempSync(join(tmpdir(), 'fishlens-store-'));
const content = randomBytes(300_000);
const sha256 = createHash('sha256').update(content).digest('hex');
const source = join(tmp, 'shard.bin');
writeFileSync(source, content);

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The behaviour every store must have, run against each implementation. */
function storeContract(name: string, open: () => ObjectStore) {
  describe(name, () => {
    it('stores a file and streams back exactly the same bytes', async () => {
      const store = open();
      await store.put('m/1/group1-shard1of1.bin', source, {
        sha256,
        size: content.length,
        contentType: 'application/octet-stream',
      });
      const back = await readAll(await store.get('m/1/group1-shard1of1.bin'));
      expect(back.length).toBe(content.length);
      expect(createHash('sha256').update(back).digest('hex')).toBe(sha256);
      expect(await store.head('m/1/group1-shard1of1.bin')).toEqual({ size: content.length });
    });

    it('streams an inclusive byte range', async () => {
      const store = open();
      await store.put('m/2/a.bin', source, {
        sha256,
        size: content.length,
        contentType: 'application/octet-stream',
      });
      const part = await readAll(
        await store.get('m/2/a.bin', { range: { start: 1000, end: 1999 } }),
      );
      expect(part.equals(content.subarray(1000, 2000))).toBe(true);
    });

    it('reports a missing object as ObjectNotFoundError and head as null', async () => {
      const store = open();
      await expect(store.get('m/none/x.bin')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await store.head('m/none/x.bin')).toBeNull();
    });

    it('refuses content whose sha256 differs from the announced one', async () => {
      const store = open();
      const wrong = 'f'.repeat(64);
      await expect(
        store.put('m/3/bad.bin', source, {
          sha256: wrong,
          size: content.length,
          contentType: 'application/octet-stream',
        }),
      ).rejects.toBeInstanceOf(ChecksumMismatchError);
      expect(await store.head('m/3/bad.bin')).toBeNull();
    });
  });
}

storeContract('local files', () => createLocalObjectStore(join(tmp, 'local')));

describe('S3 against a real S3-protocol server (s3rver on loopback)', () => {
  let s3: TestS3Server;
  let store: ObjectStore;
  beforeAll(async () => {
    s3 = await startTestS3Server();
    store = createS3ObjectStore({
      client: createS3Client(s3.settings),
      bucket: s3.bucket,
      prefix: 'fishlens/',
      timeoutMs: 5_000,
    });
  });
  afterAll(() => s3?.stop());

  storeContract('s3', () => store);
});

describe('S3 when the service is down or hangs', () => {
  let silent: Server;
  let port = 0;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never answers: the store must give up, not hang.
    silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('turns a refused connection into StorageUnavailableError', async () => {
    const store = unreachableS3Store('b');
    await expect(store.get('x')).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it('gives up on a server that never answers within the timeout', async () => {
    const client = createS3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      accessKeyId: 'a',
      secretAccessKey: 'b',
      forcePathStyle: true,
      timeoutMs: 500,
    });
    const store = createS3ObjectStore({ client, bucket: 'b', timeoutMs: 500 });
    const started = Date.now();
    await expect(store.get('x')).rejects.toThrow(/did not answer within 500 ms|not reachable/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
