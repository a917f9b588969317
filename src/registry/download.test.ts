import { describe, expect, it } from 'vitest';
import { FishlensError } from '../../shared/errors';
import { downloadVerifiedFile, sha256Hex } from './download';

const bytes = new Uint8Array(300_000).map((_, i) => (i * 31) % 251);
const file = {
  path: 'group1-shard1of1.bin',
  size: bytes.length,
  sha256: await sha256Hex(bytes.buffer),
  url: '/api/v1/models/river-fish/versions/1/files/group1-shard1of1.bin',
};

/** A streamed response body in chunks of 64 kB, like a real download. */
function streamed(body: Uint8Array, status = 200): Response {
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= body.length) return controller.close();
      controller.enqueue(body.slice(offset, offset + 65_536));
      offset += 65_536;
    },
  });
  return new Response(stream, { status });
}

/** A fetch that answers every request with `response()`. */
function serve(response: () => Response | Promise<Response>): typeof fetch {
  return () => Promise.resolve(response());
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a failure'),
    (error: unknown) => error,
  );
}

describe('downloadVerifiedFile', () => {
  it('returns the exact bytes of a file that matches its size and sha256, reporting progress', async () => {
    const fetchImpl = serve(() => streamed(bytes));
    let received = 0;
    const result = await downloadVerifiedFile(fetchImpl, file, { onBytes: (n) => (received += n) });
    const same =
      result.byteLength === bytes.length && new Uint8Array(result).every((b, i) => b === bytes[i]);
    expect(same).toBe(true);
    expect(received).toBe(bytes.length);
  });

  it('refuses a truncated file as size-mismatch', async () => {
    const fetchImpl = serve(() => streamed(bytes.slice(0, 200_000)));
    const error = await failure(downloadVerifiedFile(fetchImpl, file));
    expect(error).toBeInstanceOf(FishlensError);
    expect(error).toMatchObject({ code: 'size-mismatch', details: { file: file.path } });
  });

  it('refuses a file longer than listed as soon as it overflows', async () => {
    const fetchImpl = serve(() => streamed(new Uint8Array(bytes.length + 10)));
    expect(await failure(downloadVerifiedFile(fetchImpl, file))).toMatchObject({
      code: 'size-mismatch',
    });
  });

  it('refuses a file of the right size with altered bytes as checksum-mismatch', async () => {
    const tampered = bytes.slice();
    tampered[150_000] = (tampered[150_000] ?? 0) ^ 0xff;
    const fetchImpl = serve(() => streamed(tampered));
    expect(await failure(downloadVerifiedFile(fetchImpl, file))).toMatchObject({
      code: 'checksum-mismatch',
    });
  });

  it('turns HTTP errors and network failures into codes', async () => {
    const fetchImpl = serve(() => new Response('nope', { status: 503 }));
    expect(await failure(downloadVerifiedFile(fetchImpl, file))).toMatchObject({
      code: 'http',
      details: { status: 503 },
    });
    const offline = serve(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(await failure(downloadVerifiedFile(offline, file))).toMatchObject({ code: 'network' });
  });

  it('lets AbortError pass through unchanged when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const fetchImpl = serve(() => streamed(bytes));
    const error = await failure(
      downloadVerifiedFile(fetchImpl, file, { signal: controller.signal }),
    );
    expect(error).not.toBeInstanceOf(FishlensError);
    expect((error as Error).name).toBe('AbortError');
  });
});
