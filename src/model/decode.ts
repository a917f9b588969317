/**
 * Decodes a photo to RGBA pixels inside the classifier worker: EXIF orientation applied by
 * `createImageBitmap`, huge photos downscaled while decoding (never a 50 MP canvas), pixels read
 * through an OffscreenCanvas. Failures become ClassifierError codes a person can act on.
 */
import type { RgbaImage } from '../../shared/preprocess';
import { ClassifierError } from './errors';
import { SNIFF_BYTES, sniffImage } from './sniff';

/**
 * Photos above this many pixels are decoded at a reduced size. 4 MP keeps every fixture and
 * ordinary photo pixel-exact (so results match Node) while a 50 MP photo costs ~16 MB, not 200 MB.
 */
export const MAX_DECODE_PIXELS = 4_000_000;
/** Above this the header is not believed (or the photo is absurd): refuse before decoding. */
export const MAX_SOURCE_PIXELS = 300_000_000;

async function toBitmap(photo: Blob): Promise<ImageBitmap> {
  const head = new Uint8Array(await photo.slice(0, SNIFF_BYTES).arrayBuffer());
  const sniffed = sniffImage(head);
  const pixels = (sniffed.width ?? 0) * (sniffed.height ?? 0);
  if (pixels > MAX_SOURCE_PIXELS)
    throw new ClassifierError('image-too-large', `${sniffed.width}×${sniffed.height}`);
  const options: ImageBitmapOptions = { imageOrientation: 'from-image', premultiplyAlpha: 'none' };
  if (pixels > MAX_DECODE_PIXELS) {
    // Only the width: the browser keeps the aspect ratio whichever way EXIF rotates the photo.
    options.resizeWidth = Math.max(
      1,
      Math.round(sniffed.width! * Math.sqrt(MAX_DECODE_PIXELS / pixels)),
    );
    options.resizeQuality = 'high';
  }
  try {
    return await createImageBitmap(photo, options);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (sniffed.kind === 'heic') throw new ClassifierError('heic-unsupported', detail);
    if (sniffed.kind === 'unknown') throw new ClassifierError('not-an-image', detail);
    if (error instanceof RangeError || /memory|too large/i.test(detail))
      throw new ClassifierError('image-too-large', detail);
    throw new ClassifierError('corrupt-image', `${sniffed.kind}: ${detail}`);
  }
}

/** One CPU-backed canvas reused for every photo (a new 2D context per photo costs a few ms). */
let scratch: { canvas: OffscreenCanvas; context: OffscreenCanvasRenderingContext2D } | undefined;

/** Reads the pixels of a bitmap (RGBA, straight alpha). */
export function bitmapPixels(bitmap: ImageBitmap): RgbaImage {
  const { width, height } = bitmap;
  if (width === 0 || height === 0) throw new ClassifierError('corrupt-image', 'empty image');
  if (!scratch) {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new ClassifierError('image-too-large', 'no 2D canvas of this size');
    scratch = { canvas, context };
  }
  const { canvas, context } = scratch;
  if (canvas.width !== width || canvas.height !== height) {
    // Resizing clears the canvas and resets the context's state.
    canvas.width = width;
    canvas.height = height;
  } else {
    context.clearRect(0, 0, width, height);
  }
  let data: Uint8ClampedArray;
  try {
    context.drawImage(bitmap, 0, 0);
    data = context.getImageData(0, 0, width, height).data;
  } catch (error) {
    scratch = undefined;
    throw new ClassifierError(
      'image-too-large',
      error instanceof Error ? error.message : String(error),
    );
  }
  if (width * height > MAX_DECODE_PIXELS / 4) {
    // Do not keep a photo-sized backing store alive between photos.
    canvas.width = 1;
    canvas.height = 1;
  }
  return { width, height, data };
}

/** Decodes a picked file or a camera frame to pixels, honouring EXIF orientation. */
export async function decodePhoto(photo: Blob | ImageBitmap): Promise<RgbaImage> {
  if (!(photo instanceof Blob)) return bitmapPixels(photo);
  if (photo.size === 0) throw new ClassifierError('not-an-image', 'empty file');
  const bitmap = await toBitmap(photo);
  try {
    return bitmapPixels(bitmap);
  } finally {
    bitmap.close();
  }
}
