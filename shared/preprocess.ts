/**
 * THE image preprocessing of Fishlens, shared by training, evaluation (Node) and the browser
 * classifier. Pure TypeScript: decoded RGBA pixels in, the network's Float32 HWC input out.
 * Decoding and EXIF orientation happen before this, per runtime; the same pixels give the same
 * floats everywhere, so browser and Node predictions agree.
 */
import { stretchContrast } from './contrast';
import { fillBuffers, fillDarkBorders, type FillBuffers } from './dark-borders';
import type { Preprocessing } from './pack';

/** Decoded pixels, 4 bytes (RGBA) per pixel, rows top to bottom. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** A rectangle of the source image in pixel units; fractional edges are allowed. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Target size of the network input. */
export interface InputSize {
  width: number;
  height: number;
}

/** One output sample along an axis: source indices and their weights (summing to 1). */
interface Taps {
  index: Int32Array;
  weight: Float64Array;
  start: Int32Array;
}

/** The part of the photo that becomes the input: the centred square-ish crop, or the whole photo. */
export function resizeRegion(
  image: { width: number; height: number },
  resize: Preprocessing['resize'],
  size: InputSize,
): Region {
  if (resize === 'stretch') return { x: 0, y: 0, width: image.width, height: image.height };
  const targetAspect = size.width / size.height;
  if (image.width / image.height > targetAspect) {
    const width = image.height * targetAspect;
    return { x: (image.width - width) / 2, y: 0, width, height: image.height };
  }
  const height = image.width / targetAspect;
  return { x: 0, y: (image.height - height) / 2, width: image.width, height };
}

function clampIndex(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/**
 * Resampling taps for one axis: bilinear (half-pixel centres) when enlarging or keeping size,
 * area averaging (box prefilter, exact pixel coverage) when shrinking, so big photos do not alias.
 */
function axisTaps(origin: number, extent: number, outN: number, sourceN: number): Taps {
  const scale = extent / outN;
  const indices: number[] = [];
  const weights: number[] = [];
  const start = new Int32Array(outN + 1);
  for (let o = 0; o < outN; o++) {
    start[o] = indices.length;
    if (scale <= 1) {
      const centre = origin + (o + 0.5) * scale - 0.5;
      const left = Math.floor(centre);
      const frac = centre - left;
      indices.push(clampIndex(left, sourceN), clampIndex(left + 1, sourceN));
      weights.push(1 - frac, frac);
    } else {
      const lo = origin + o * scale;
      const hi = lo + scale;
      for (let i = Math.floor(lo); i < hi; i++) {
        const cover = Math.min(hi, i + 1) - Math.max(lo, i);
        if (cover <= 0) continue;
        indices.push(clampIndex(i, sourceN));
        weights.push(cover / scale);
      }
    }
  }
  start[outN] = indices.length;
  return { index: Int32Array.from(indices), weight: Float64Array.from(weights), start };
}

/**
 * How resampled RGB values become network input: the dark-border fill if asked, then value =
 * (pixel / scale + offset − mean) / std, then the contrast stretch if asked.
 */
type Scaling = Pick<
  Preprocessing,
  'scale' | 'offset' | 'mean' | 'std' | 'fillDarkBorders' | 'stretchContrast'
>;

/** Buffers one resampling writes: the network input and the float64 intermediate rows. */
interface ResampleBuffers {
  out: Float32Array;
  horizontal: Float64Array;
  sum: Float64Array;
  /** Present when the pack fills dark borders (`fillDarkBorders`). */
  fill?: FillBuffers;
}

/** One row of resampled [0, 255] values, `values[from…]`, scaled into `out[target…]`. */
function scaleRow(
  out: Float32Array,
  target: number,
  values: Float64Array,
  from: number,
  rowLength: number,
  { scale, offset, mean, std }: Scaling,
): void {
  if (!mean && !std) {
    for (let k = 0; k < rowLength; k++) out[target + k] = values[from + k]! / scale + offset;
    return;
  }
  for (let k = 0; k < rowLength; k++) {
    const c = k % 3;
    out[target + k] = (values[from + k]! / scale + offset - (mean?.[c] ?? 0)) / (std?.[c] ?? 1);
  }
}

function checkImage(image: RgbaImage, region: Region): void {
  const { width: W, height: H, data } = image;
  if (W <= 0 || H <= 0 || data.length < W * H * 4)
    throw new Error('image pixels do not match its size');
  if (!(region.width > 0 && region.height > 0)) throw new Error('empty image region');
}

/** The source rows the vertical taps read: [lo, lo + count). */
function rowSpan(ys: Taps, sourceRows: number): { lo: number; count: number } {
  let lo = sourceRows;
  let hi = -1;
  for (const r of ys.index) {
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  return { lo, count: hi - lo + 1 };
}

/**
 * The resampling itself, separable: horizontal taps into float64 rows, then vertical taps, then
 * (when the pack says) the dark-border fill, then scaling, then (when the pack says) the contrast
 * stretch. Every output value is computed by the same float64 operations in the same order
 * whoever supplies the buffers, so `preprocess` and `createPreprocessor` give identical floats.
 */
function resample(
  image: RgbaImage,
  xs: Taps,
  ys: Taps,
  rowLo: number,
  rows: number,
  size: InputSize,
  preprocessing: Scaling,
  mirror: boolean,
  buffers: ResampleBuffers,
): Float32Array {
  const { width: W, data } = image;
  const { out, horizontal, sum, fill } = buffers;
  // Horizontal pass over only the source rows the vertical pass reads.
  for (let r = 0; r < rows; r++) {
    const srcRow = (r + rowLo) * W * 4;
    for (let o = 0; o < size.width; o++) {
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let t = xs.start[o]!; t < xs.start[o + 1]!; t++) {
        const p = srcRow + xs.index[t]! * 4;
        const w = xs.weight[t]!;
        red += data[p]! * w;
        green += data[p + 1]! * w;
        blue += data[p + 2]! * w;
      }
      const q = (r * size.width + (mirror ? size.width - 1 - o : o)) * 3;
      horizontal[q] = red;
      horizontal[q + 1] = green;
      horizontal[q + 2] = blue;
    }
  }
  const rowLength = size.width * 3;
  for (let o = 0; o < size.height; o++) {
    sum.fill(0);
    for (let t = ys.start[o]!; t < ys.start[o + 1]!; t++) {
      const source = (ys.index[t]! - rowLo) * rowLength;
      const w = ys.weight[t]!;
      for (let k = 0; k < rowLength; k++) sum[k]! += horizontal[source + k]! * w;
    }
    if (fill) fill.values.set(sum, o * rowLength);
    else scaleRow(out, o * rowLength, sum, 0, rowLength, preprocessing);
  }
  if (fill) {
    fillDarkBorders(size, fill);
    for (let o = 0; o < size.height; o++)
      scaleRow(out, o * rowLength, fill.values, o * rowLength, rowLength, preprocessing);
  }
  if (preprocessing.stretchContrast) stretchContrast(out, preprocessing);
  return out;
}

/**
 * Resamples `region` of the image to `size`, fills dark borders if the pack says so, and scales
 * RGB as the pack says (value = (pixel / scale + offset − mean) / std). Returns Float32 HWC, RGB.
 * `mirror` flips left-right.
 */
export function preprocessRegion(
  image: RgbaImage,
  region: Region,
  size: InputSize,
  preprocessing: Scaling,
  mirror = false,
): Float32Array {
  checkImage(image, region);
  const xs = axisTaps(region.x, region.width, size.width, image.width);
  const ys = axisTaps(region.y, region.height, size.height, image.height);
  const { lo, count } = rowSpan(ys, image.height);
  return resample(image, xs, ys, lo, count, size, preprocessing, mirror, {
    out: new Float32Array(size.width * size.height * 3),
    horizontal: new Float64Array(count * size.width * 3),
    sum: new Float64Array(size.width * 3),
    fill: preprocessing.fillDarkBorders ? fillBuffers(size) : undefined,
  });
}

/**
 * `preprocess` for one pack, made to be called again and again (the browser classifier): the
 * same floats, bit for bit, but its buffers and the resampling taps of the last image size are
 * kept between calls. Allocating the ~2 MB of fresh typed arrays per photo cost more than the
 * arithmetic (page faults and zeroing: ~8 of ~10 ms per 224×224 input in Chromium).
 * The returned array is reused: it is valid until the next call.
 */
export function createPreprocessor(
  preprocessing: Preprocessing,
  size: InputSize,
): (image: RgbaImage) => Float32Array {
  const out = new Float32Array(size.width * size.height * 3);
  const sum = new Float64Array(size.width * 3);
  const fill = preprocessing.fillDarkBorders ? fillBuffers(size) : undefined;
  let horizontal = new Float64Array(0);
  let taps: { key: string; xs: Taps; ys: Taps; lo: number; count: number } | undefined;
  return (image) => {
    const region = resizeRegion(image, preprocessing.resize, size);
    checkImage(image, region);
    const key = `${image.width}x${image.height}`;
    if (taps?.key !== key) {
      const xs = axisTaps(region.x, region.width, size.width, image.width);
      const ys = axisTaps(region.y, region.height, size.height, image.height);
      taps = { key, xs, ys, ...rowSpan(ys, image.height) };
    }
    const needed = taps.count * size.width * 3;
    if (horizontal.length < needed) horizontal = new Float64Array(needed);
    return resample(image, taps.xs, taps.ys, taps.lo, taps.count, size, preprocessing, false, {
      out,
      horizontal,
      sum,
      fill,
    });
  };
}

/** Turns decoded pixels into the network input: crop/stretch per the pack, resample, scale. */
export function preprocess(
  image: RgbaImage,
  preprocessing: Preprocessing,
  size: InputSize,
): Float32Array {
  return preprocessRegion(
    image,
    resizeRegion(image, preprocessing.resize, size),
    size,
    preprocessing,
  );
}
