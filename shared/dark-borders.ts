/**
 * The dark-border fill of the shared preprocessing (`preprocessing.fillDarkBorders`): the black
 * corners that rotating a crop to the fish's axis leaves, and black bars, become the mean colour of
 * the rest of the network input, after resampling, so a pack trained on such crops meets phone
 * photos (which have none) and crops alike as it was trained (training/README.md).
 */
import type { InputSize } from './preprocess';

/** Scratch space of the dark-border fill: the resampled [0, 255] values, a mask, a stack. */
export interface FillBuffers {
  values: Float64Array;
  mask: Uint8Array;
  stack: Int32Array;
}

export function fillBuffers(size: InputSize): FillBuffers {
  const n = size.width * size.height;
  return { values: new Float64Array(n * 3), mask: new Uint8Array(n), stack: new Int32Array(n) };
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
export function fillDarkBorders(size: InputSize, { values, mask, stack }: FillBuffers): void {
  const { width: w, height: h } = size;
  const n = w * h;
  mask.fill(0);
  let top = 0;
  const visit = (p: number) => {
    if (
      mask[p] ||
      values[3 * p]! >= DARK ||
      values[3 * p + 1]! >= DARK ||
      values[3 * p + 2]! >= DARK
    )
      return;
    mask[p] = 1;
    stack[top++] = p;
  };
  for (let x = 0; x < w; x++) {
    visit(x);
    visit(n - w + x);
  }
  for (let y = 0; y < h; y++) {
    visit(y * w);
    visit(y * w + w - 1);
  }
  if (top === 0) return;
  while (top > 0) {
    const p = stack[--top]!;
    const x = p % w;
    if (x > 0) visit(p - 1);
    if (x < w - 1) visit(p + 1);
    if (p >= w) visit(p - w);
    if (p < n - w) visit(p + w);
  }
  // Ring r marks the unmarked pixels beside one marked 1…r, i.e. beside one marked in ring r − 1
  // (the flood's pixels are 1): each ring grows from the pixels the ring before it marked.
  // By row and column, no closure or `%` per pixel: it runs on every photo with dark corners.
  for (let ring = 1; ring <= FRINGE; ring++) {
    for (let y = 0, p = 0; y < h; y++) {
      for (let x = 0; x < w; x++, p++) {
        if (mask[p] !== ring) continue;
        if (x > 0 && mask[p - 1] === 0) mask[p - 1] = ring + 1;
        if (x < w - 1 && mask[p + 1] === 0) mask[p + 1] = ring + 1;
        if (y > 0 && mask[p - w] === 0) mask[p - w] = ring + 1;
        if (y < h - 1 && mask[p + w] === 0) mask[p + w] = ring + 1;
      }
    }
  }
  const mean = [0, 0, 0];
  let rest = 0;
  for (let p = 0; p < n; p++) {
    if (mask[p]) continue;
    for (let c = 0; c < 3; c++) mean[c]! += values[3 * p + c]!;
    rest++;
  }
  if (rest === 0) return;
  for (let c = 0; c < 3; c++) mean[c]! /= rest;
  for (let p = 0; p < n; p++) if (mask[p]) for (let c = 0; c < 3; c++) values[3 * p + c] = mean[c]!;
}
