/**
 * Downloads one file of a model pack and proves it is the file the registry listed: exactly
 * `size` bytes and the listed sha256 (WebCrypto), else `size-mismatch` or `checksum-mismatch`.
 * Progress is reported per received chunk, and the download cancels with an AbortSignal.
 */
import { FishlensError, isAbortError, throwIfAborted } from '../../shared/errors';
import type { ManifestEntry } from '../../shared/pack';
import type { ModelFile } from '../../shared/models-api';

/** Lowercase hex SHA-256 of a buffer. */
export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Throws `size-mismatch` or `checksum-mismatch` unless `bytes` are exactly the listed file. */
export async function verifyPackFile(entry: ManifestEntry, bytes: ArrayBuffer): Promise<void> {
  const file = { file: entry.path };
  if (bytes.byteLength !== entry.size)
    throw new FishlensError('size-mismatch', `${bytes.byteLength} bytes`, file);
  if ((await sha256Hex(bytes)) !== entry.sha256)
    throw new FishlensError('checksum-mismatch', undefined, file);
}

/**
 * Fetches `file.url` as a stream into a buffer of the listed size (a longer body is refused as
 * soon as it overflows), then checks its sha256. `onBytes(n)` gets each chunk's length.
 */
export async function downloadVerifiedFile(
  fetchImpl: typeof fetch,
  file: ModelFile,
  options: { signal?: AbortSignal; onBytes?: (received: number) => void } = {},
): Promise<ArrayBuffer> {
  const { signal, onBytes } = options;
  const details = { file: file.path };
  throwIfAborted(signal);
  let res: Response;
  try {
    res = await fetchImpl(file.url, { signal });
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw new FishlensError('network', String(error), details, { cause: error });
  }
  if (!res.ok || !res.body)
    throw new FishlensError('http', file.url, { ...details, status: res.status });

  const buffer = new Uint8Array(file.size);
  let received = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (received + value.byteLength > file.size)
        throw new FishlensError('size-mismatch', 'longer than listed', details);
      buffer.set(value, received);
      received += value.byteLength;
      onBytes?.(value.byteLength);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (isAbortError(error) || error instanceof FishlensError) throw error;
    throw new FishlensError('network', String(error), details, { cause: error });
  }
  if (received !== file.size)
    throw new FishlensError('size-mismatch', `${received} bytes`, details);
  await verifyPackFile(file, buffer.buffer);
  return buffer.buffer;
}
