/** Verified pack files in memory → the `LoadedPack` the classifier takes. */
import { FishlensError } from '../../shared/errors';
import type { PackRef } from '../../shared/pack';
import type { LoadedPack } from '../classifier/types';

/**
 * The shared pack schema: zod is a chunk of its own (a third of the app's script), so the first
 * screen renders without it; callers start loading it before they read the pack's files.
 */
export const packSchema = () => import('../schemas');

/** Parses metadata.json and model.json and picks out the weight files model.json names. */
export async function toLoadedPack(
  ref: PackRef,
  files: Map<string, ArrayBuffer>,
): Promise<LoadedPack> {
  const { MODEL_FILE, metadataSchema, METADATA_FILE } = await packSchema();
  const json = (path: string): unknown => {
    const data = files.get(path);
    if (!data) throw new FishlensError('incomplete-pack', undefined, { file: path });
    try {
      return JSON.parse(new TextDecoder().decode(data)) as unknown;
    } catch {
      throw new FishlensError('model-invalid', `${path} is not JSON`);
    }
  };
  const metadata = metadataSchema.safeParse(json(METADATA_FILE));
  if (!metadata.success)
    throw new FishlensError(
      'model-invalid',
      `${METADATA_FILE}: ${metadata.error.issues[0]?.message ?? ''}`,
    );
  const modelJson = json(MODEL_FILE) as { weightsManifest?: { paths?: string[] }[] };
  const weightFiles: Record<string, ArrayBuffer> = {};
  for (const group of modelJson.weightsManifest ?? []) {
    for (const path of group.paths ?? []) {
      const data = files.get(path);
      if (!data)
        throw new FishlensError('incomplete-pack', `${MODEL_FILE} names it`, { file: path });
      weightFiles[path] = data;
    }
  }
  return { ref, metadata: metadata.data, modelJson, weightFiles };
}
