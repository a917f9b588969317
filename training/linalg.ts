/** Small dense linear algebra in Float64 for fitting calibration and unknown-detection data (no TF.js). */

/** A row-major matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  const m = { rows, cols, data: new Float64Array(rows * cols) };
  if (data) m.data.set(data);
  return m;
}

/** Column means of the rows of `x` (n × d). */
export function columnMeans(x: Matrix): Float64Array {
  const mean = new Float64Array(x.cols);
  for (let i = 0; i < x.rows; i++)
    for (let j = 0; j < x.cols; j++) mean[j]! += x.data[i * x.cols + j]!;
  for (let j = 0; j < x.cols; j++) mean[j]! /= Math.max(1, x.rows);
  return mean;
}

/** a (n × m) times b (m × p). */
export function multiply(a: Matrix, b: Matrix): Matrix {
  const out = matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let k = 0; k < a.cols; k++) {
      const v = a.data[i * a.cols + k]!;
      if (v === 0) continue;
      const bi = k * b.cols;
      const oi = i * b.cols;
      for (let j = 0; j < b.cols; j++) out.data[oi + j]! += v * b.data[bi + j]!;
    }
  return out;
}

function transpose(a: Matrix): Matrix {
  const out = matrix(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j]!;
  return out;
}

/** Orthonormalises the columns of `q` in place (modified Gram–Schmidt, twice for stability). */
function orthonormalise(q: Matrix): void {
  const { rows, cols, data } = q;
  for (let pass = 0; pass < 2; pass++)
    for (let j = 0; j < cols; j++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += data[i * cols + j]! * data[i * cols + k]!;
        for (let i = 0; i < rows; i++) data[i * cols + j]! -= dot * data[i * cols + k]!;
      }
      let norm = 0;
      for (let i = 0; i < rows; i++) norm += data[i * cols + j]! ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < rows; i++) data[i * cols + j]! /= norm;
    }
}

/** Eigenvalues and eigenvectors (columns) of a small symmetric matrix, by cyclic Jacobi rotations. */
export function symmetricEigen(s: Matrix): { values: Float64Array; vectors: Matrix } {
  const n = s.rows;
  const a = matrix(n, n, s.data);
  const v = matrix(n, n);
  for (let i = 0; i < n; i++) v.data[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a.data[p * n + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a.data[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a.data[q * n + q]! - a.data[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a.data[k * n + p]!;
          const akq = a.data[k * n + q]!;
          a.data[k * n + p] = c * akp - sn * akq;
          a.data[k * n + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a.data[p * n + k]!;
          const aqk = a.data[q * n + k]!;
          a.data[p * n + k] = c * apk - sn * aqk;
          a.data[q * n + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v.data[k * n + p]!;
          const vkq = v.data[k * n + q]!;
          v.data[k * n + p] = c * vkp - sn * vkq;
          v.data[k * n + q] = sn * vkp + c * vkq;
        }
      }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a.data[i * n + i]!;
  return { values, vectors: v };
}

/**
 * The `k` leading eigenpairs of a symmetric positive semi-definite d × d matrix S, given as the
 * product `times(q)` = S·q (subspace iteration with a Rayleigh–Ritz step), largest first.
 * `random` seeds the start vectors.
 */
export function leadingEigen(
  times: (q: Matrix) => Matrix,
  d: number,
  k: number,
  random: () => number,
  iterations = 12,
): { values: Float64Array; vectors: Matrix } {
  let q = matrix(d, k);
  for (let i = 0; i < q.data.length; i++) q.data[i] = random() - 0.5;
  orthonormalise(q);
  for (let it = 0; it < iterations; it++) {
    q = times(q);
    orthonormalise(q);
  }
  const small = multiply(transpose(q), times(q));
  const { values, vectors } = symmetricEigen(small);
  const order = [...values.keys()].sort((x, y) => values[y]! - values[x]!);
  const rotated = multiply(q, vectors);
  const out = matrix(d, k);
  const sorted = new Float64Array(k);
  order.forEach((from, to) => {
    sorted[to] = values[from]!;
    for (let i = 0; i < d; i++) out.data[i * k + to] = rotated.data[i * k + from]!;
  });
  return { values: sorted, vectors: out };
}

/** Rows of equal width laid end to end (a batch for a model). */
export function flatten(rows: readonly Float32Array[], width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(r, i * width));
  return out;
}

/** The rows of a batch laid end to end, as views into it. */
export function rowsOf(flat: Float32Array, width: number): Float32Array[] {
  return Array.from({ length: flat.length / width }, (_, i) =>
    flat.subarray(i * width, (i + 1) * width),
  );
}

/** The middle value (the lower of the two middle ones for an even count). */
export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[(values.length - 1) >> 1]!;
