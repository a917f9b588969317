/** Node-side image decoding for training and evaluation: sharp, EXIF orientation applied, RGBA out. */
import sharp from 'sharp';
import type { RgbaImage } from '../shared/preprocess';

/** A photo that cannot be decoded; the CLIs report it as one line. */
export class UnreadableImageError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: not an image we can read (${reason})`);
    this.name = 'UnreadableImageError';
  }
}

/** Decodes a PNG/JPEG/WebP file to RGBA pixels; `applyExif` rotates/flips as its EXIF orientation says. */
export async function decodeImageFile(file: string, applyExif = true): Promise<RgbaImage> {
  try {
    let pipeline = sharp(file, { failOn: 'error' });
    if (applyExif) pipeline = pipeline.rotate();
    const { data, info } = await pipeline
      .removeAlpha()
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw new UnreadableImageError(file, reason);
  }
}
