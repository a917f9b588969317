/**
 * Fits "not one of my species" detection on pooled backbone features: a distance to the nearest
 * class mean in the leading principal directions of the training features, each direction scaled
 * by its within-class spread (Mahalanobis with the within-class covariance, its off-diagonal
 * terms in that basis left out). The principal directions come from all the features, not only
 * the within-class spread, so they keep what tells the species apart: the head reads the same
 * coordinates. It ships as a linear layer of the pack's model (computed in the same forward pass
 * as the probabilities) plus centres and scales (metadata `unknown`): the device needs one small
 * dense layer and a few thousand numbers, not a 1280 × 1280 matrix.
 *
 * The relative score (`--unknown-distance relative`) subtracts the distance to the mean of all
 * training features in the same coordinates, scaled by their overall spread (`background`): the
 * relative Mahalanobis distance of Ren et al., "A Simple Fix to Mahalanobis Distance for Improving
 * Near-OOD Detection" (https://arxiv.org/abs/2106.09022). Directions along which the species do
 * not differ (light, camera, water) then count little, since a photo far along them is as far from
 * all the training photos as from any species; directions that tell the species apart count
 * fully. Other fish resemble the training photos in the first kind and differ in the second.
 */
import * as tf from '@tensorflow/tfjs';
import type { UnknownDetection } from '../shared/pack';
import { seededRandom } from './dataset';
import { columnMeans, leadingEigen, matrix, type Matrix } from './linalg';

/**
 * Principal coordinates of features: e = (f − mean) · projection (orthonormal columns, `dims`
 * outputs); e · scale (per coordinate) is whitened, so squared distances there are Mahalanobis.
 */
export interface Whitening {
  dims: number;
  /** Feature size × dims, row-major (a dense layer's kernel). */
  projection: Float32Array;
  /** −mean · projection (the dense layer's bias). */
  bias: Float32Array;
  /** 1 / standard deviation of each coordinate within a class (shrunk). */
  scale: Float32Array;
  /**
   * 1 / standard deviation of each coordinate over all rows (shrunk likewise): the background
   * that a relative detector's distance discounts. The coordinates' mean over all rows is 0.
   */
  background: Float32Array;
  /** Class centres in principal coordinates, label order. */
  centres: Float32Array[];
}

/** Fits principal coordinates and their within-class scale on labelled feature rows (n × size). */
export function fitWhitening(
  x: Float32Array,
  y: Int32Array,
  classes: number,
  size: number,
  dims: number,
  shrinkage = 0.05,
): Whitening {
  const n = y.length;
  const rows = matrix(n, size, x);
  const mean = columnMeans(rows);
  const classMeans = Array.from({ length: classes }, () => new Float64Array(size));
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < n; i++) {
    counts[y[i]!]!++;
    const m = classMeans[y[i]!]!;
    for (let j = 0; j < size; j++) m[j]! += rows.data[i * size + j]!;
  }
  classMeans.forEach((m, c) => m.forEach((v, j) => (m[j] = v / Math.max(1, counts[c]!))));
  // The scatter of all rows about their mean, and products with it, in TF.js: the 1280 × 1280
  // matrix products dominate the fit.
  const centred = new Float32Array(n * size);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < size; j++) centred[i * size + j] = rows.data[i * size + j]! - mean[j]!;
  const cov = tf.tidy(() => {
    const c = tf.tensor2d(centred, [n, size]);
    return tf.matMul(c, c, true, false).div<tf.Tensor2D>(Math.max(1, n));
  });
  const times = (q: Matrix): Matrix =>
    matrix(
      size,
      q.cols,
      tf.tidy(() =>
        tf.matMul(cov, tf.tensor2d(Float32Array.from(q.data), [size, q.cols])).dataSync(),
      ),
    );
  let eigen;
  try {
    eigen = leadingEigen(times, size, dims, seededRandom(dims));
  } finally {
    cov.dispose();
  }
  const projection = Float32Array.from(eigen.vectors.data);
  // Within-class variance of each principal coordinate: rows minus their class mean, projected.
  for (let i = 0; i < n; i++) {
    const m = classMeans[y[i]!]!;
    for (let j = 0; j < size; j++) centred[i * size + j] = rows.data[i * size + j]! - m[j]!;
  }
  const variance = tf.tidy(
    () =>
      tf
        .matMul(tf.tensor2d(centred, [n, size]), tf.tensor2d(projection, [size, dims]))
        .square()
        .mean(0)
        .dataSync() as Float32Array,
  );
  // Shrink small variances towards the mean one: a few hundred fish give noisy small directions.
  const shrunk = (v: ArrayLike<number>) => {
    let average = 0;
    for (let k = 0; k < dims; k++) average += v[k]! / dims;
    return Float32Array.from(
      { length: dims },
      (_, k) => 1 / Math.sqrt((1 - shrinkage) * Math.max(0, v[k]!) + shrinkage * average),
    );
  };
  const scale = shrunk(variance);
  // The eigenvalues are the variances of all rows along the principal directions.
  const background = shrunk(eigen.values);
  const apply = (v: ArrayLike<number>) => {
    const out = new Float32Array(dims);
    for (let j = 0; j < size; j++) {
      const d = v[j]! - mean[j]!;
      if (d === 0) continue;
      for (let k = 0; k < dims; k++) out[k]! += d * projection[j * dims + k]!;
    }
    return out;
  };
  const bias = new Float32Array(dims);
  for (let k = 0; k < dims; k++) {
    let b = 0;
    for (let j = 0; j < size; j++) b -= mean[j]! * projection[j * dims + k]!;
    bias[k] = b;
  }
  return { dims, projection, bias, scale, background, centres: classMeans.map(apply) };
}

/** Principal coordinates of rows (n × size) → n rows of `dims` values. */
export function whiten(w: Whitening, x: Float32Array, size: number): Float32Array[] {
  const n = x.length / size;
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = new Float32Array(w.bias);
    for (let j = 0; j < size; j++) {
      const f = x[i * size + j]!;
      if (f === 0) continue;
      for (let k = 0; k < w.dims; k++) v[k]! += f * w.projection[j * w.dims + k]!;
    }
    out.push(v);
  }
  return out;
}

/** The centres and per-coordinate scales an unknown detector reads, as plain arrays. */
export interface DetectorParts {
  centres: number[][];
  scale: number[];
  background: number[];
}

/** A whitening's detector data, each value through `round` (a pack stores six digits). */
export function detectorParts(w: Whitening, round = (v: number) => v): DetectorParts {
  const list = (v: ArrayLike<number>) => Array.from(v, round);
  return { centres: w.centres.map(list), scale: list(w.scale), background: list(w.background) };
}

/**
 * How the unknown detector scores a photo: the distance to the nearest species centre, or that
 * distance minus the distance to the centre of all training photos (`relative`).
 */
export type DistanceKind = 'nearest' | 'relative';

/** Name of the pack model's whitened-feature layer that unknown-detection reads. */
export const EMBEDDING_LAYER = 'unknown_embedding';

/** The pack's unknown detection for these centres and scales (threshold ∞: scores only). */
export const detector = (
  { centres, scale, background }: DetectorParts,
  distance: DistanceKind,
  threshold = Infinity,
  layer = EMBEDDING_LAYER,
): UnknownDetection =>
  distance === 'relative'
    ? { method: 'relative-nearest-centre', layer, centres, scale, background, threshold }
    : { method: 'nearest-centre', layer, centres, scale, threshold };

/** The value below which `fraction` of `values` lie (linear interpolation). */
export function quantile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const at = Math.min(sorted.length - 1, Math.max(0, fraction * (sorted.length - 1)));
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}
