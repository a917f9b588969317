/**
 * Fitting what makes a pack's answers honest, on fish training never saw: the temperature that
 * calibrates its probabilities, the `notSureBelow` threshold that reaches a precision when "sure",
 * and the measurements (coverage, accuracy when sure, ECE) — all through shared/decision.ts.
 */
import { calibrate, decide, type DecisionMetadata, type ModelOutput } from '../shared/decision';
import type { SureMetrics } from '../shared/pack';
import { seededRandom } from './dataset';

/** Mean negative log-likelihood of the true labels after calibrating with `temperature`. */
function calibratedNll(rows: ArrayLike<number>[], truth: Int32Array, temperature: number): number {
  let sum = 0;
  rows.forEach((row, i) => {
    sum -= Math.log(Math.max(1e-12, calibrate(row, temperature)[truth[i]!]!));
  });
  return sum / Math.max(1, rows.length);
}

/** The x in [lo, hi] where a unimodal `f` is smallest (golden-section search, 60 steps). */
export function goldenSectionMinimum(f: (x: number) => number, lo: number, hi: number): number {
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  for (let i = 0; i < 60; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = f(b);
    }
  }
  return (lo + hi) / 2;
}

/** The temperature (0.05–20) with the lowest negative log-likelihood, searched on log T. */
export function fitTemperature(rows: ArrayLike<number>[], truth: Int32Array): number {
  return Math.exp(
    goldenSectionMinimum(
      (x) => calibratedNll(rows, truth, Math.exp(x)),
      Math.log(0.05),
      Math.log(20),
    ),
  );
}

/** Expected calibration error of the top probability over `bins` equal-width bins. */
export function expectedCalibrationError(
  confidence: readonly number[],
  correct: readonly boolean[],
  bins = 10,
): number {
  const count = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  confidence.forEach((c, i) => {
    const b = Math.min(bins - 1, Math.floor(c * bins));
    count[b]!++;
    conf[b]! += c;
    if (correct[i]) hits[b]!++;
  });
  const n = Math.max(1, confidence.length);
  return count.reduce((sum, k, b) => (k ? sum + Math.abs(hits[b]! - conf[b]!) / n : sum), 0);
}

/**
 * The ECE a perfectly calibrated model would still measure on these photos: each photo's answer
 * drawn right with the probability shown, `draws` times (seeded, so repeatable), the mean ECE.
 * On ~150 validation photos it is 0.07–0.08 (training/README.md), so a measured ECE is read
 * against it, not against zero.
 */
export function eceIfCalibrated(confidence: readonly number[], draws = 1000, bins = 10): number {
  const random = seededRandom(confidence.length);
  const correct = new Array<boolean>(confidence.length);
  let sum = 0;
  for (let d = 0; d < draws; d++) {
    confidence.forEach((c, i) => (correct[i] = random() < c));
    sum += expectedCalibrationError(confidence, correct, bins);
  }
  return sum / draws;
}

/**
 * Wilson score lower bound of a proportion, `hits` of `n`, `z` standard errors down (z = 0: the
 * proportion itself).
 */
export function wilsonLowerBound(hits: number, n: number, z: number): number {
  if (n === 0) return 0;
  const p = hits / n;
  if (z === 0) return p;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return (centre - spread) / (1 + z2 / n);
}

/**
 * The lowest threshold whose "sure" answers (top probability ≥ threshold) are right at least
 * `precision` of the time — the most photos named at that precision — but never below `floor`.
 * With `z` > 0 the Wilson lower bound of that share must reach `precision` (`train
 * --sure-precision-z`, `cross-validate --precision-z`; measured in training/README.md). When no
 * threshold reaches it, the highest confidence seen (almost nothing is "sure").
 */
export function chooseNotSureBelow(
  confidence: readonly number[],
  correct: readonly boolean[],
  precision: number,
  floor = 0.5,
  z = 0,
): number {
  const order = confidence.map((c, i) => [c, correct[i]!] as const).sort((a, b) => b[0] - a[0]);
  let hits = 0;
  let best: number | undefined;
  order.forEach(([c, right], i) => {
    if (right) hits++;
    const next = order[i + 1]?.[0];
    // A threshold sits between distinct confidences only.
    if (next !== undefined && next === c) return;
    if (wilsonLowerBound(hits, i + 1, z) >= precision) best = c;
  });
  const highest = order[0]?.[0] ?? 1;
  return Math.max(floor, best ?? Math.min(1, highest + 1e-6));
}

/** Outputs of fish of the pack's species (with true label index) and of photos of none of them. */
export interface DecisionSet {
  known: { output: ModelOutput; truth: number }[];
  unknown: ModelOutput[];
}

export interface DecisionMetrics {
  sure: SureMetrics;
  ece: number;
  /** The ECE of a perfectly calibrated model with the same confidences (`eceIfCalibrated`). */
  eceIfCalibrated: number;
  unknown: { n: number; answeredSure: number };
}

/** Coverage and accuracy when "sure", ECE and unknown answers, by the app's own decision code. */
export function measureDecisions(set: DecisionSet, metadata: DecisionMetadata): DecisionMetrics {
  const confidence: number[] = [];
  const correct: boolean[] = [];
  let sure = 0;
  let sureRight = 0;
  for (const { output, truth } of set.known) {
    const decision = decide(output, metadata);
    const top = decision.ranked[0]!;
    confidence.push(top.probability);
    correct.push(top.index === truth);
    if (decision.verdict === 'sure') {
      sure++;
      if (top.index === truth) sureRight++;
    }
  }
  const unknownSure = set.unknown.filter((o) => decide(o, metadata).verdict === 'sure').length;
  const n = set.known.length;
  return {
    sure: {
      threshold: metadata.notSureBelow,
      coverage: n ? sure / n : 0,
      accuracy: sure ? sureRight / sure : 0,
    },
    ece: expectedCalibrationError(confidence, correct),
    eceIfCalibrated: eceIfCalibrated(confidence),
    unknown: {
      n: set.unknown.length,
      answeredSure: set.unknown.length ? unknownSure / set.unknown.length : 0,
    },
  };
}
