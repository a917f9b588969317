/**
 * Turns an installed pack (IndexedDB, src/storage/model-packs.ts) into a `LoadedPack` for the
 * classifier, checking every file's size and sha256 again before it is used, so a pack damaged on
 * the device is refused rather than run.
 */
import type { ManifestEntry } from '../../shared/pack';
import type { LoadedPack } from '../model/types';
import { getActiveVersion, readPackFiles, type InstalledPackVersion } from '../storage/model-packs';
import { verifyPackFile } from './download';
import { PackError, throwIfAborted, toPackError } from './errors';
import { toLoadedPack } from './network-pack';

/** Reads an installed version's files, re-verifies each one, and assembles the LoadedPack. */
export async function loadInstalledVersion(
  record: InstalledPackVersion,
  signal?: AbortSignal,
): Promise<LoadedPack> {
  const blobs = await readPackFiles(record.name, record.version);
  const files = new Map<string, ArrayBuffer>();
  for (const entry of record.files) {
    throwIfAborted(signal);
    files.set(entry.path, await readVerified(entry, blobs.get(entry.path)));
  }
  try {
    return toLoadedPack(record.name, String(record.version), files);
  } catch (error) {
    throw toPackError(error);
  }
}

async function readVerified(entry: ManifestEntry, blob: Blob | undefined): Promise<ArrayBuffer> {
  if (!blob) throw new PackError('incomplete-pack', { file: entry.path });
  const bytes = await blob.arrayBuffer();
  await verifyPackFile(entry, bytes);
  return bytes;
}

/** The active installed pack, verified and ready for `loadClassifier`; `not-installed` when there is none. */
export async function loadActivePack(signal?: AbortSignal): Promise<LoadedPack> {
  const active = await getActiveVersion();
  if (!active) throw new PackError('not-installed');
  return loadInstalledVersion(active, signal);
}
