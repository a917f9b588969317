/**
 * THE single place where a finished identification leaves the Identify screen. The prediction
 * log (issue 7) stores it in the IndexedDB outbox here; the screen awaits this before it shows
 * the result as done, so a shown result is a stored one.
 */
import type { Classification } from '../model/types';

/** Receives every finished classification with a small JPEG thumbnail of the photo (or null). */
export type ClassificationListener = (
  classification: Classification,
  thumbnail: Blob | null,
) => void | Promise<void>;

const listeners = new Set<ClassificationListener>();

/** Subscribes to finished classifications; returns the unsubscribe function. */
export function onClassified(listener: ClassificationListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Hands a finished classification on to every listener; a failing listener never hides the result. */
export async function handOffClassification(
  classification: Classification,
  thumbnail: Blob | null,
): Promise<void> {
  const results = await Promise.allSettled(
    [...listeners].map(async (listener) => listener(classification, thumbnail)),
  );
  for (const result of results) {
    if (result.status === 'rejected')
      console.error('a classification listener failed', result.reason);
  }
}

/** A small JPEG of the photo (longest side 160 px, EXIF-oriented) for History; null when it cannot be made. */
export async function makeThumbnail(photo: Blob): Promise<Blob | null> {
  try {
    const probe = await createImageBitmap(photo, {
      imageOrientation: 'from-image',
      resizeWidth: 160,
      resizeQuality: 'medium',
    });
    const canvas = new OffscreenCanvas(probe.width, probe.height);
    canvas.getContext('2d')?.drawImage(probe, 0, 0);
    probe.close();
    return await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
  } catch {
    return null;
  }
}
