/**
 * Downloads one file of a model pack and proves it is the file the registry listed: exactly
 * `size` bytes and the listed sha256 (WebCrypto), else a PackError (`size-mismatch`,
 * `checksum-mismatch`). Progress is reported per received chunk, and the download cancels with
 * an AbortSignal. Reusable by any pack source (network, installed).
 */
import type { ManifestEntry } from '../../shared/pack';
import { isAbortError, PackError, throwIfAborted } from './errors';
import { sha256Hex } from './network-pack';

/** A file as the registry lists it: its path in the pack, size, sha256 and (server-relative) URL. */
export interface PackFileRef extends ManifestEntry {
  url: string;
}

/** Throws `size-mismatch` or `checksum-mismatch` unless `bytes` are exactly the listed file. */
export async function verifyPackFile(entry: ManifestEntry, bytes: ArrayBuffer): Promise<void> {
  if (bytes.byteLength !== entry.size) throw new PackError('size-mismatch', { file: entry.path });
  if ((await sha256Hex(bytes)) !== entry.sha256)
    throw new PackError('checksum-mismatch', { file: entry.path });
}

/**
 * Fetches `file.url` as a stream into a buffer of the listed size (a longer body is refused as
 * soon as it overflows), then checks its sha256. `onBytes(n)` gets each chunk's length.
 */
export async function downloadVerifiedFile(
  file: PackFileRef,
  options: { signal?: AbortSignal; onBytes?: (received: number) => void } = {},
): Promise<ArrayBuffer> {
  const { signal, onBytes } = options;
  throwIfAborted(signal);
  let res: Response;
  try {
    res = await fetch(file.url, { signal });
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw new PackError('network', { file: file.path, cause: error });
  }
  if (!res.ok || !res.body) throw new PackError('http', { file: file.path, status: res.status });

  const buffer = new Uint8Array(file.size);
  let received = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (received + value.byteLength > file.size)
        throw new PackError('size-mismatch', { file: file.path });
      buffer.set(value, received);
      received += value.byteLength;
      onBytes?.(value.byteLength);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (isAbortError(error) || error instanceof PackError) throw error;
    throw new PackError('network', { file: file.path, cause: error });
  }
  if (received !== file.size) throw new PackError('size-mismatch', { file: file.path });
  await verifyPackFile(file, buffer.buffer);
  return buffer.buffer;
}
