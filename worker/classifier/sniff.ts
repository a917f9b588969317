/**
 * Recognises an image file by its first bytes and reads its pixel size from the header, without
 * decoding it: the classifier uses the size to downscale huge photos while they are decoded, and
 * the format to tell "not an image" from "HEIC this browser cannot read" from "damaged".
 */

export type ImageKind = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | 'heic' | 'avif' | 'unknown';

export interface SniffedImage {
  kind: ImageKind;
  /** Stored (not EXIF-rotated) size when the header has it. */
  width?: number;
  height?: number;
}

/** How many leading bytes `sniffImage` wants: JPEG headers may follow a ~64 KB EXIF block. */
export const SNIFF_BYTES = 256 * 1024;

const HEIC_BRANDS = new Set([
  'heic',
  'heix',
  'hevc',
  'hevx',
  'heim',
  'heis',
  'hevm',
  'hevs',
  'mif1',
  'msf1',
]);
const AVIF_BRANDS = new Set(['avif', 'avis']);

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

function sized(kind: ImageKind, width: number, height: number): SniffedImage {
  return width > 0 && height > 0 ? { kind, width, height } : { kind };
}

function jpegSize(bytes: Uint8Array, view: DataView): SniffedImage {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) break;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return sized('jpeg', view.getUint16(i + 7), view.getUint16(i + 5));
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    i += 2 + view.getUint16(i + 2);
  }
  return { kind: 'jpeg' };
}

function webpSize(bytes: Uint8Array, view: DataView): SniffedImage {
  const chunk = ascii(bytes, 12, 4);
  if (chunk === 'VP8 ' && bytes.length >= 30) {
    return sized('webp', view.getUint16(26, true) & 0x3fff, view.getUint16(28, true) & 0x3fff);
  }
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const [b0, b1, b2, b3] = [bytes[21]!, bytes[22]!, bytes[23]!, bytes[24]!];
    return sized(
      'webp',
      1 + (((b1 & 0x3f) << 8) | b0),
      1 + (((b3 & 0xf) << 10) | (b2 << 2) | ((b1 & 0xc0) >> 6)),
    );
  }
  if (chunk === 'VP8X' && bytes.length >= 30) {
    const u24 = (at: number) => bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
    return sized('webp', 1 + u24(24), 1 + u24(27));
  }
  return { kind: 'webp' };
}

/** Identifies the image format of a file's leading bytes and, when cheap, its size. */
export function sniffImage(bytes: Uint8Array): SniffedImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && bytes[0] === 0x89 && ascii(bytes, 1, 3) === 'PNG') {
    return sized('png', view.getUint32(16), view.getUint32(20));
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return jpegSize(bytes, view);
  if (bytes.length >= 16 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP')
    return webpSize(bytes, view);
  if (bytes.length >= 10 && ascii(bytes, 0, 4) === 'GIF8')
    return sized('gif', view.getUint16(6, true), view.getUint16(8, true));
  if (bytes.length >= 26 && ascii(bytes, 0, 2) === 'BM') {
    return sized('bmp', Math.abs(view.getInt32(18, true)), Math.abs(view.getInt32(22, true)));
  }
  if (bytes.length >= 12 && ascii(bytes, 4, 4) === 'ftyp') {
    const boxEnd = Math.min(bytes.length, view.getUint32(0));
    const brands = [ascii(bytes, 8, 4)];
    for (let at = 16; at + 4 <= boxEnd; at += 4) brands.push(ascii(bytes, at, 4));
    if (brands.some((b) => AVIF_BRANDS.has(b))) return { kind: 'avif' };
    if (brands.some((b) => HEIC_BRANDS.has(b))) return { kind: 'heic' };
  }
  return { kind: 'unknown' };
}
