/**
 * The History thumbnail, made in the classifier worker from the pixels it already decoded for the
 * model, so the page never decodes the photo a second time.
 */
import type { RgbaImage } from '../../shared/preprocess';

/** Thumbnails are this wide (height keeps the photo's aspect ratio). */
export const THUMBNAIL_WIDTH = 160;

/** A small JPEG of decoded pixels (already EXIF-oriented); null when the browser cannot make one. */
export async function makeThumbnail(image: RgbaImage): Promise<Blob | null> {
  let bitmap: ImageBitmap | undefined;
  try {
    const { data, width, height } = image;
    // A view of the same bytes (ImageData wants exactly width × height × 4 clamped bytes).
    const view = new Uint8ClampedArray(
      data.buffer as ArrayBuffer,
      data.byteOffset,
      width * height * 4,
    );
    const pixels = new ImageData(view, width, height);
    bitmap = await createImageBitmap(pixels, {
      resizeWidth: Math.min(THUMBNAIL_WIDTH, width),
      resizeQuality: 'medium',
    });
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
    return await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
  } catch (error) {
    console.warn('no thumbnail for this photo', error);
    return null;
  } finally {
    bitmap?.close();
  }
}
