/**
 * Fills the black corners that rotating a crop to the fish's axis leaves (the EGU2017 river
 * photos: on average 31 % of each image's pixels) with the mean colour of the rest of the photo.
 * Phone photos have no such corners. A model trained with them black answers photos without them
 * much worse, and one trained with them filled is right more often on photos without them
 * (training/README.md).
 */
import type { RgbaImage } from '../shared/preprocess';

/** Darker than this in every channel counts as corner (JPEG/PNG edges are not exactly 0). */
const DARK = 12;

/** A copy of `image` whose near-black regions touching the border are the mean colour of the rest. */
export function fillDarkCorners(image: RgbaImage): RgbaImage {
  const { width: w, height: h, data } = image;
  const dark = (p: number) =>
    data[4 * p]! < DARK && data[4 * p + 1]! < DARK && data[4 * p + 2]! < DARK;
  const corner = new Uint8Array(w * h);
  const stack: number[] = [];
  for (let x = 0; x < w; x++) stack.push(x, (h - 1) * w + x);
  for (let y = 0; y < h; y++) stack.push(y * w, y * w + w - 1);
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (corner[p] || !dark(p)) continue;
    corner[p] = 1;
    const x = p % w;
    if (x > 0) stack.push(p - 1);
    if (x < w - 1) stack.push(p + 1);
    if (p >= w) stack.push(p - w);
    if (p < (h - 1) * w) stack.push(p + w);
  }
  const sum = [0, 0, 0];
  let n = 0;
  for (let p = 0; p < w * h; p++) {
    if (corner[p]) continue;
    for (let c = 0; c < 3; c++) sum[c]! += data[4 * p + c]!;
    n++;
  }
  const out = new Uint8Array(data);
  if (n === 0) return { width: w, height: h, data: out };
  const mean = sum.map((s) => Math.round(s / n));
  for (let p = 0; p < w * h; p++)
    if (corner[p]) for (let c = 0; c < 3; c++) out[4 * p + c] = mean[c]!;
  return { width: w, height: h, data: out };
}
