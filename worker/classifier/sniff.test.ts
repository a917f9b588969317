import { describe, expect, it } from 'vitest';
import { sniffImage } from './sniff';

const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(
    parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)),
  );
const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const be16 = (n: number) => [(n >>> 8) & 255, n & 255];
const le16 = (n: number) => [n & 255, (n >>> 8) & 255];

describe('sniffImage', () => {
  it('reads the size of a PNG from its IHDR', () => {
    const png = bytes(
      [0x89],
      'PNG',
      [13, 10, 26, 10],
      be32(13),
      'IHDR',
      be32(8660),
      be32(5774),
      [8, 2, 0, 0, 0],
    );
    expect(sniffImage(png)).toEqual({ kind: 'png', width: 8660, height: 5774 });
  });

  it('finds the JPEG frame size after an EXIF block', () => {
    const app1 = [0xff, 0xe1, ...be16(2 + 10), ...Array<number>(10).fill(0)];
    const sof0 = [0xff, 0xc0, ...be16(17), 8, ...be16(3000), ...be16(4000), 3];
    const jpeg = bytes([0xff, 0xd8], app1, sof0, Array<number>(20).fill(0));
    expect(sniffImage(jpeg)).toEqual({ kind: 'jpeg', width: 4000, height: 3000 });
  });

  it('reads lossy WebP (VP8) and extended WebP (VP8X) sizes', () => {
    const vp8 = bytes(
      'RIFF',
      [0, 0, 0, 0],
      'WEBPVP8 ',
      [0, 0, 0, 0],
      [0, 0, 0, 0x9d, 0x01, 0x2a],
      le16(640),
      le16(480),
    );
    expect(sniffImage(vp8)).toEqual({ kind: 'webp', width: 640, height: 480 });
    const vp8x = bytes(
      'RIFF',
      [0, 0, 0, 0],
      'WEBPVP8X',
      [10, 0, 0, 0],
      [0, 0, 0, 0],
      [0x7f, 0x07, 0],
      [0xdf, 0x04, 0],
    );
    expect(sniffImage(vp8x)).toEqual({ kind: 'webp', width: 1920, height: 1248 });
  });

  it('recognises HEIC and AVIF by their ftyp brands', () => {
    expect(sniffImage(bytes(be32(24), 'ftypheic', be32(0), 'mif1heic')).kind).toBe('heic');
    expect(sniffImage(bytes(be32(24), 'ftypmif1', be32(0), 'mif1heic')).kind).toBe('heic');
    expect(sniffImage(bytes(be32(24), 'ftypavif', be32(0), 'avifmif1')).kind).toBe('avif');
  });

  it('calls text, PDFs and empty files unknown', () => {
    expect(sniffImage(bytes('this is not a photo of a fish')).kind).toBe('unknown');
    expect(sniffImage(bytes('%PDF-1.7\n')).kind).toBe('unknown');
    expect(sniffImage(new Uint8Array(0)).kind).toBe('unknown');
  });

  it('does not trust a truncated header for a size', () => {
    expect(sniffImage(bytes([0xff, 0xd8, 0xff, 0xe1, 0x40, 0x00]))).toEqual({ kind: 'jpeg' });
  });
});
