/**
 * THE single place where a finished identification leaves the Identify screen. The prediction
 * log (issue 7) stores it in the IndexedDB outbox here; the screen awaits this before it shows
 * the result as done, so a shown result is a stored one.
 */
import { decodeSmallJpeg } from '../model/decode';
import type { Classification } from '../model/types';
import type { RgbaImage } from '../../shared/preprocess';

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

const THUMBNAIL_SIDE = 160;

/** A small JPEG of the photo (longest side 160 px, EXIF-oriented) for History; null when it cannot be made. */
export async function makeThumbnail(photo: Blob): Promise<Blob | null> {
  try {
    // Big JPEGs: a 1/8-scale decode (~20 ms for 12 MP) instead of a full one (~600 ms) on this thread.
    const small = await decodeSmallJpeg(photo, THUMBNAIL_SIDE);
    const source: Blob | OffscreenCanvas = small ? pixelCanvas(small) : photo;
    const probe = await createImageBitmap(source, {
      imageOrientation: 'from-image',
      resizeWidth: THUMBNAIL_SIDE,
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

function pixelCanvas(image: RgbaImage): OffscreenCanvas {
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas
    .getContext('2d')
    ?.putImageData(
      new ImageData(new Uint8ClampedArray(image.data), image.width, image.height),
      0,
      0,
    );
  return canvas;
}
