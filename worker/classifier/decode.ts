/**
 * Decodes a photo to RGBA pixels inside the classifier worker: EXIF orientation applied by
 * `createImageBitmap`, huge photos downscaled while decoding (never a 50 MP canvas; big JPEGs at
 * 1/2–1/8 scale through ImageDecoder where the browser has it), pixels read through an OffscreenCanvas. Failures become error codes a person can act on.
 */
import type { RgbaImage } from '../../shared/preprocess';
import { FishlensError } from '../../shared/errors';
import { SNIFF_BYTES, type SniffedImage, sniffImage } from './sniff';

/**
 * Photos above this many pixels are decoded at a reduced size. 4 MP keeps every fixture and
 * ordinary photo pixel-exact (so results match Node) while a 50 MP photo costs ~16 MB, not 200 MB.
 */
export const MAX_DECODE_PIXELS = 4_000_000;
/** Above this the header is not believed (or the photo is absurd): refuse before decoding. */
export const MAX_SOURCE_PIXELS = 300_000_000;

/** What the photo's first bytes say it is (format and, where the header tells, its size). */
async function sniffPhoto(photo: Blob): Promise<SniffedImage> {
  return sniffImage(new Uint8Array(await photo.slice(0, SNIFF_BYTES).arrayBuffer()));
}

async function toBitmap(photo: Blob, sniffed: SniffedImage): Promise<ImageBitmap> {
  const pixels = (sniffed.width ?? 0) * (sniffed.height ?? 0);
  if (pixels > MAX_SOURCE_PIXELS)
    throw new FishlensError('image-too-large', `${sniffed.width}×${sniffed.height}`);
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
    if (sniffed.kind === 'heic') throw new FishlensError('heic-unsupported', detail);
    if (sniffed.kind === 'unknown') throw new FishlensError('not-an-image', detail);
    if (error instanceof RangeError || /memory|too large/i.test(detail))
      throw new FishlensError('image-too-large', detail);
    throw new FishlensError('corrupt-image', `${sniffed.kind}: ${detail}`);
  }
}

/** A scaled JPEG decode keeps at least this many pixels on each side (twice the 224 input). */
const MIN_SCALED_SIDE = 448;

/** What Chromium's VideoFrame reports of the JPEG's EXIF orientation (not in TypeScript's DOM types yet). */
interface OrientedFrame {
  rotation?: number;
  flip?: boolean;
}

/**
 * Large JPEGs through WebCodecs' ImageDecoder at a reduced size: libjpeg decodes straight to 1/2,
 * 1/4 or 1/8 scale in the DCT, so a 12 MP phone photo takes ~50–70 ms instead of ~650 ms for a
 * full decode plus resize in createImageBitmap (Chromium 156 in a worker on this machine). The
 * frame's pixels are copied in stored orientation and the EXIF rotation/flip the frame reports is
 * applied here, which does not depend on how the browser draws rotated frames.
 * Returns undefined for other photos, where this is not available or not worth it; the caller then
 * decodes as usual.
 */
async function decodeScaledJpeg(
  photo: Blob,
  sniffed: SniffedImage,
  minSide: number,
): Promise<RgbaImage | undefined> {
  const { kind, width, height } = sniffed;
  if (kind !== 'jpeg' || width === undefined || height === undefined) return undefined;
  if (width * height > MAX_SOURCE_PIXELS) return undefined;
  if (typeof ImageDecoder === 'undefined') return undefined;
  let scale = 1;
  while (scale < 8 && Math.min(width, height) / (scale * 2) >= minSide) scale *= 2;
  if (scale === 1) return undefined;
  let decoder: ImageDecoder | undefined;
  let frame: VideoFrame | undefined;
  try {
    decoder = new ImageDecoder({
      data: photo.stream(),
      type: 'image/jpeg',
      desiredWidth: Math.ceil(width / scale),
      desiredHeight: Math.ceil(height / scale),
    });
    frame = (await decoder.decode()).image;
    const format = frame.format;
    const w = frame.codedWidth;
    const h = frame.codedHeight;
    if (!format || !['BGRX', 'BGRA', 'RGBX', 'RGBA'].includes(format)) return undefined;
    if (Math.min(w, h) < minSide / 2 || w > width || h > height) return undefined;
    const raw = new Uint8Array(frame.allocationSize());
    const [plane] = await frame.copyTo(raw);
    const stride = plane?.stride ?? w * 4;
    const offset = plane?.offset ?? 0;
    const bgr = format.startsWith('BGR');
    const { rotation = 0, flip = false } = frame as unknown as OrientedFrame;
    const quarter = (((Math.round(rotation / 90) % 4) + 4) % 4) as 0 | 1 | 2 | 3;
    const outW = quarter % 2 === 1 ? h : w;
    const outH = quarter % 2 === 1 ? w : h;
    const data = new Uint8ClampedArray(outW * outH * 4);
    /** Byte offset of the source pixel of output (ox, oy), for a clockwise quarter-turn rotation. */
    const source = (ox: number, oy: number) => {
      const fx = flip ? outW - 1 - ox : ox;
      const [sx, sy] =
        quarter === 0
          ? [fx, oy]
          : quarter === 1
            ? [oy, h - 1 - fx]
            : quarter === 2
              ? [w - 1 - fx, h - 1 - oy]
              : [w - 1 - oy, fx];
      return offset + sy * stride + sx * 4;
    };
    // Along an output row the source moves by a fixed step (±4 bytes or ±1 row), so the copy
    // is one pass of additions; the mapping above runs twice per row, not per pixel.
    const red = bgr ? 2 : 0;
    const blue = bgr ? 0 : 2;
    for (let oy = 0; oy < outH; oy++) {
      let src = source(0, oy);
      const step = outW > 1 ? source(1, oy) - src : 4;
      const end = (oy + 1) * outW * 4;
      for (let dst = oy * outW * 4; dst < end; dst += 4, src += step) {
        data[dst] = raw[src + red]!;
        data[dst + 1] = raw[src + 1]!;
        data[dst + 2] = raw[src + blue]!;
        data[dst + 3] = 255;
      }
    }
    return { width: outW, height: outH, data };
  } catch (error) {
    // A corrupt JPEG fails here too; the usual path then names the problem.
    console.warn('scaled JPEG decode failed, decoding in full', error);
    return undefined;
  } finally {
    frame?.close();
    decoder?.close();
  }
}

/** One CPU-backed canvas reused for every photo (a new 2D context per photo costs a few ms). */
let scratch: { canvas: OffscreenCanvas; context: OffscreenCanvasRenderingContext2D } | undefined;

/** Reads the pixels of a bitmap (RGBA, straight alpha). */
export function bitmapPixels(bitmap: ImageBitmap): RgbaImage {
  const { width, height } = bitmap;
  if (width === 0 || height === 0) throw new FishlensError('corrupt-image', 'empty image');
  if (!scratch) {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new FishlensError('image-too-large', 'no 2D canvas of this size');
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
    throw new FishlensError(
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
  if (photo.size === 0) throw new FishlensError('not-an-image', 'empty file');
  const sniffed = await sniffPhoto(photo);
  if ((sniffed.width ?? 0) * (sniffed.height ?? 0) > MAX_DECODE_PIXELS) {
    const scaled = await decodeScaledJpeg(photo, sniffed, MIN_SCALED_SIDE);
    if (scaled) return scaled;
  }
  const bitmap = await toBitmap(photo, sniffed);
  try {
    return bitmapPixels(bitmap);
  } finally {
    bitmap.close();
  }
}
