/**
 * Turns an installed pack (IndexedDB, src/storage/model-packs.ts) into a `LoadedPack` for the
 * classifier, checking every file's size and sha256 again before it is used, so a pack damaged on
 * the device is refused rather than run.
 */
import { MODEL_FILE, type ManifestEntry } from '../../shared/pack';
import type { LoadedPack } from '../model/types';
import { getActiveVersion, readPackFiles, type InstalledPackVersion } from '../storage/model-packs';
import { verifyPackFile } from './download';
import { PackError, throwIfAborted } from './errors';

/** The weight file paths model.json names (TF.js weightsManifest), in order. */
export function weightPaths(modelJson: unknown): string[] {
  const manifest = (modelJson as { weightsManifest?: { paths?: unknown }[] } | null)?.weightsManifest;
  if (!Array.isArray(manifest)) throw new PackError('incomplete-pack', { file: MODEL_FILE });
  return manifest.flatMap((group) => (Array.isArray(group.paths) ? group.paths.map(String) : []));
}

/**
 * Builds a LoadedPack from verified file bytes: parses model.json and picks the weight files it
 * names (any missing one is `incomplete-pack`). Shared by every pack source.
 */
export function assembleLoadedPack(
  pack: { name: string; version: number; metadata: LoadedPack['metadata'] },
  files: Map<string, ArrayBuffer>,
): LoadedPack {
  const modelBytes = files.get(MODEL_FILE);
  if (!modelBytes) throw new PackError('incomplete-pack', { file: MODEL_FILE });
  let modelJson: unknown;
  try {
    modelJson = JSON.parse(new TextDecoder().decode(modelBytes));
  } catch (error) {
    throw new PackError('bad-response', { file: MODEL_FILE, cause: error });
  }
  const weightFiles: Record<string, ArrayBuffer> = {};
  for (const path of weightPaths(modelJson)) {
    const bytes = files.get(path);
    if (!bytes) throw new PackError('incomplete-pack', { file: path });
    weightFiles[path] = bytes;
  }
  return { name: pack.name, version: String(pack.version), metadata: pack.metadata, modelJson, weightFiles };
}

/** Reads an installed version's files, re-verifies each one, and assembles the LoadedPack. */
export async function loadInstalledVersion(record: InstalledPackVersion, signal?: AbortSignal): Promise<LoadedPack> {
  const blobs = await readPackFiles(record.name, record.version);
  const files = new Map<string, ArrayBuffer>();
  for (const entry of record.files) {
    throwIfAborted(signal);
    files.set(entry.path, await readVerified(entry, blobs.get(entry.path)));
  }
  return assembleLoadedPack(record, files);
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
