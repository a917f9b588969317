import { afterEach, describe, expect, it, vi } from 'vitest';
import { downloadVerifiedFile } from './download';
import { PackError, toPackError } from './errors';
import { PackSourceError, sha256Hex } from './network-pack';

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

function serve(response: () => Response | Promise<Response>) {
  vi.stubGlobal('fetch', vi.fn(response));
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a failure'),
    (error: unknown) => error,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('downloadVerifiedFile', () => {
  it('returns the exact bytes of a file that matches its size and sha256, reporting progress', async () => {
    serve(() => streamed(bytes));
    let received = 0;
    const result = await downloadVerifiedFile(file, { onBytes: (n) => (received += n) });
    const same =
      result.byteLength === bytes.length && new Uint8Array(result).every((b, i) => b === bytes[i]);
    expect(same).toBe(true);
    expect(received).toBe(bytes.length);
  });

  it('refuses a truncated file as size-mismatch', async () => {
    serve(() => streamed(bytes.slice(0, 200_000)));
    const error = await failure(downloadVerifiedFile(file));
    expect(error).toBeInstanceOf(PackError);
    expect(error).toMatchObject({ code: 'size-mismatch', detail: { file: file.path } });
  });

  it('refuses a file longer than listed as soon as it overflows', async () => {
    serve(() => streamed(new Uint8Array(bytes.length + 10)));
    expect(await failure(downloadVerifiedFile(file))).toMatchObject({ code: 'size-mismatch' });
  });

  it('refuses a file of the right size with altered bytes as checksum-mismatch', async () => {
    const tampered = bytes.slice();
    tampered[150_000] = (tampered[150_000] ?? 0) ^ 0xff;
    serve(() => streamed(tampered));
    expect(await failure(downloadVerifiedFile(file))).toMatchObject({ code: 'checksum-mismatch' });
  });

  it('turns HTTP errors and network failures into codes', async () => {
    serve(() => new Response('nope', { status: 503 }));
    expect(await failure(downloadVerifiedFile(file))).toMatchObject({
      code: 'http',
      detail: { status: 503 },
    });
    serve(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(await failure(downloadVerifiedFile(file))).toMatchObject({ code: 'network' });
  });

  it('lets AbortError pass through unchanged when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    serve(() => streamed(bytes));
    const error = await failure(downloadVerifiedFile(file, { signal: controller.signal }));
    expect(error).not.toBeInstanceOf(PackError);
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('toPackError', () => {
  it('maps the network source errors to pack error codes and leaves others alone', () => {
    expect(toPackError(new PackSourceError('registry-unavailable', 'x'))).toMatchObject({
      code: 'network',
    });
    expect(toPackError(new PackSourceError('model-not-found', 'x'))).toMatchObject({
      code: 'not-in-registry',
    });
    expect(toPackError(new PackSourceError('file-corrupt', 'x'))).toMatchObject({
      code: 'checksum-mismatch',
    });
    const other = new Error('x');
    expect(toPackError(other)).toBe(other);
  });
});
