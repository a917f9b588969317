import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../shared/preprocess';
import { fillDarkCorners } from './corners';

/** A w × h RGBA image from a function of the pixel position. */
function image(w: number, h: number, colour: (x: number, y: number) => [number, number, number]) {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) data.set([...colour(x, y), 255], 4 * (y * w + x));
  return { width: w, height: h, data };
}

const pixel = (img: RgbaImage, x: number, y: number) =>
  Array.from(img.data.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 4));

describe('fillDarkCorners', () => {
  // A rotated crop: black triangles in the top-left and bottom-right corners, a grey-green photo
  // in between with one black pixel (a fish's eye) inside it.
  const photo = image(12, 8, (x, y) =>
    x + y < 4 || x + y > 14 ? [3, 2, 5] : x === 6 && y === 4 ? [0, 0, 0] : [100, 120, 60 + x],
  );

  it('gives the black corners the mean colour of the rest and leaves dark details inside alone', () => {
    const filled = fillDarkCorners(photo);
    let sum = 0;
    let n = 0;
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 12; x++)
        if (!(x + y < 4 || x + y > 14)) {
          sum += pixel(photo, x, y)[2]!;
          n++;
        }
    expect(pixel(filled, 0, 0)).toEqual(pixel(filled, 11, 7));
    expect(pixel(filled, 0, 0)[3]).toBe(255);
    expect(pixel(filled, 0, 0)[2]).toBe(Math.round(sum / n));
    expect(pixel(filled, 6, 4)).toEqual([0, 0, 0, 255]);
    expect(pixel(filled, 5, 5)).toEqual(pixel(photo, 5, 5));
    // The input is not changed.
    expect(pixel(photo, 0, 0)).toEqual([3, 2, 5, 255]);
  });

  it('leaves a photo without dark corners, and an all-black one, as they are', () => {
    const plain = image(5, 4, (x) => [50, 60, 70 + x]);
    expect(fillDarkCorners(plain).data).toEqual(plain.data);
    const black = image(5, 4, () => [0, 0, 0]);
    expect(fillDarkCorners(black).data).toEqual(black.data);
  });
});
