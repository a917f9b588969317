/**
 * A real S3-protocol server (s3rver) on a free loopback port, for tests of the S3 code path.
 * Not a mock: the AWS SDK signs and sends real HTTP requests to it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { ObjectStore } from '../object-store.js';
import { createS3Client, createS3ObjectStore, type S3Settings } from '../s3.js';

export interface TestS3Server {
  settings: S3Settings;
  bucket: string;
  stop(): Promise<void>;
}

/** Starts s3rver with one empty bucket; `stop()` closes it and deletes its files. */
export async function startTestS3Server(bucket = 'fishlens-test'): Promise<TestS3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'fishlens-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  return {
    bucket,
    settings: {
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      // s3rver's fixed development credentials.
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
      timeoutMs: 5_000,
    },
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** An S3 store whose endpoint refuses every connection (port 1 on loopback): storage "down". */
export function unreachableS3Store(bucket = 'gone'): ObjectStore {
  const client = createS3Client({
    endpoint: 'http://127.0.0.1:1',
    region: 'us-east-1',
    accessKeyId: 'a',
    secretAccessKey: 'b',
    forcePathStyle: true,
    timeoutMs: 1_000,
  });
  return createS3ObjectStore({ client, bucket, timeoutMs: 1_000 });
}
