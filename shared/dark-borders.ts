/**
 * The dark-border fill of the shared preprocessing (`preprocessing.fillDarkBorders`): the black
 * corners that rotating a crop to the fish's axis leaves, and black bars, become the mean colour of
 * the rest of the network input, after resampling, so a pack trained on such crops meets phone
 * photos (which have none) and crops alike as it was trained (training/README.md).
 */
import type { InputSize } from './preprocess';

/** Scratch space of the dark-border fill: the resampled [0, 255] values, a mask, a queue. */
export interface FillBuffers {
  values: Float64Array;
  mask: Uint8Array;
  queue: Int32Array;
}

export function fillBuffers(size: InputSize): FillBuffers {
  const n = size.width * size.height;
  return { values: new Float64Array(n * 3), mask: new Uint8Array(n), queue: new Int32Array(n) };
}

/** Darker than this in every channel (of 255) counts as border: JPEG edges are not exactly 0. */
const DARK = 12;
/**
 * Pixels around the dark region also filled: resampling blends the black into its neighbours
 * (a crop enlarged 1.5× spreads each edge over about two input pixels).
 */
const FRINGE = 2;

/**
 * Gives the near-black regions connected to the border the mean colour of the rest, in place on
 * resampled [0, 255] RGB values. A photo with no dark border is left exactly as it is; an all-dark
 * one too (there is no rest to take a colour from).
 */
export function fillDarkBorders(size: InputSize, { values, mask, queue }: FillBuffers): void {
  const { width: w, height: h } = size;
  const n = w * h;
  mask.fill(0);
  // `queue` keeps every pixel marked, in order: the flood's (breadth first), then each ring's;
  // no pixel enters twice, so n places are enough.
  let end = 0;
  const visitDark = (p: number) => {
    if (
      mask[p] ||
      values[3 * p]! >= DARK ||
      values[3 * p + 1]! >= DARK ||
      values[3 * p + 2]! >= DARK
    )
      return;
    mask[p] = 1;
    queue[end++] = p;
  };
  const visitAny = (p: number) => {
    if (mask[p]) return;
    mask[p] = 1;
    queue[end++] = p;
  };
  for (let x = 0; x < w; x++) {
    visitDark(x);
    visitDark(n - w + x);
  }
  for (let y = 0; y < h; y++) {
    visitDark(y * w);
    visitDark(y * w + w - 1);
  }
  if (end === 0) return;
  for (let k = 0; k < end; k++) {
    const p = queue[k]!;
    const x = p % w;
    if (x > 0) visitDark(p - 1);
    if (x < w - 1) visitDark(p + 1);
    if (p >= w) visitDark(p - w);
    if (p < n - w) visitDark(p + w);
  }
  // Ring r: the unmarked pixels beside one ring r − 1 marked (ring 0 is the flood). Grown from the
  // queue, so the work follows the dark region's size, not the photo's.
  for (let ring = 1, from = 0; ring <= FRINGE; ring++) {
    const to = end;
    for (let k = from; k < to; k++) {
      const p = queue[k]!;
      const x = p % w;
      if (x > 0) visitAny(p - 1);
      if (x < w - 1) visitAny(p + 1);
      if (p >= w) visitAny(p - w);
      if (p < n - w) visitAny(p + w);
    }
    from = to;
  }
  let red = 0;
  let green = 0;
  let blue = 0;
  let rest = 0;
  for (let p = 0, i = 0; p < n; p++, i += 3) {
    if (mask[p]) continue;
    red += values[i]!;
    green += values[i + 1]!;
    blue += values[i + 2]!;
    rest++;
  }
  if (rest === 0) return;
  red /= rest;
  green /= rest;
  blue /= rest;
  for (let p = 0, i = 0; p < n; p++, i += 3) {
    if (!mask[p]) continue;
    values[i] = red;
    values[i + 1] = green;
    values[i + 2] = blue;
  }
}
