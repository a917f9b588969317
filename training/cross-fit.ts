/**
 * Fitting a pack's honest answers on K folds' held-out outputs (every fish held out once), and
 * measuring them by cross-fitting: fold k's temperature, `notSureBelow` and unknown threshold
 * fitted on the other folds' held-out outputs, then applied to fold k, so every number is what a
 * pack fitted that way would score on fish it never saw.
 */
import { calibrate, unknownDistance, type DecisionMetadata } from '../shared/decision';
import type { Label } from '../shared/pack';
import {
  chooseNotSureBelow,
  eceIfCalibrated,
  expectedCalibrationError,
  fitTemperature,
  measureDecisions,
  type DecisionMetrics,
} from './calibration';
import type { FoldOutput } from './fold';
import { argmax } from './head';
import { detector, quantile, type DistanceKind } from './unknown';

/** What fitting a pack's honest answers aims for. */
export interface HonestSettings {
  /** Target share of "sure" answers that are right, on the validation fish. */
  precision: number;
  /**
   * A margin on `precision`, in standard errors: the Wilson lower bound of the share right must
   * reach it (0: the share itself). The lowest threshold at which the share touches the target
   * is, on new fish, a little less right than the target (training/README.md).
   */
  precisionZ?: number;
  /** Share of validation fish that unknown-detection must let through. */
  keep: number;
  /** How the unknown detector scores a photo. */
  distance: DistanceKind;
  /** A fixed threshold (from the pack card) instead of one chosen for `precision`. */
  notSureBelow?: number;
}

/** The settings and the pack's labels, which the fold outputs' truths index. */
export interface Fitting extends HonestSettings {
  labels: Label[];
}

type FoldMetrics = DecisionMetrics & {
  temperature: number;
  shown: { confidence: number; correct: boolean }[];
};

/** What is fitted on held-out outputs: what a pack stores to answer honestly. */
export interface FittedAnswers {
  temperature: number;
  /** Unknown-detection threshold (0 without the detector). */
  threshold: number;
  notSureBelow: number;
}

/**
 * Fits the temperature, the unknown threshold (a share `keep` of the fish stays below it, each
 * measured by its own fold's detector) and `notSureBelow` (the precision target on the fish not
 * flagged unknown) on these folds' held-out outputs.
 */
export function fitAnswers(
  folds: readonly FoldOutput[],
  fitting: Fitting,
  useDetector = true,
  z = fitting.precisionZ ?? 0,
): FittedAnswers {
  const { labels, distance, keep, precision, notSureBelow: fixed } = fitting;
  const known = folds.flatMap((o) => o.known);
  const temperature = fitTemperature(
    known.map((o) => o.probabilities),
    Int32Array.from(known.map((o) => o.truth)),
  );
  const distances = folds.map((o) =>
    o.known.map((r) => unknownDistance(r.features, detector(o, distance))),
  );
  const threshold = useDetector ? quantile(distances.flat(), keep) : 0;
  const kept = folds.flatMap((o, j) =>
    o.known.filter((_, i) => !useDetector || distances[j]![i]! <= threshold),
  );
  const confidence = kept.map((r) => Math.max(...calibrate(r.probabilities, temperature)));
  const correct = kept.map((r) => argmax(r.probabilities, 0, labels.length) === r.truth);
  const notSureBelow = fixed ?? chooseNotSureBelow(confidence, correct, precision, 0.5, z);
  return { temperature, threshold, notSureBelow };
}

/** Metrics of fold k's outputs with settings fitted on the other folds. */
function crossFitted(
  outputs: FoldOutput[],
  fitting: Fitting,
  k: number,
  useDetector: boolean,
  z: number,
): FoldMetrics {
  const { labels } = fitting;
  const { temperature, threshold, notSureBelow } = fitAnswers(
    outputs.filter((_, j) => j !== k),
    fitting,
    useDetector,
    z,
  );
  const o = outputs[k]!;
  const metadata: DecisionMetadata = {
    labels,
    notSureBelow,
    calibration: { temperature },
    unknown: useDetector ? detector(o, fitting.distance, threshold) : undefined,
  };
  return {
    temperature,
    shown: o.known.map((r) => ({
      confidence: Math.max(...calibrate(r.probabilities, temperature)),
      correct: argmax(r.probabilities, 0, labels.length) === r.truth,
    })),
    ...measureDecisions(
      {
        known: o.known.map((r) => ({ output: r, truth: r.truth })),
        unknown: o.unknown,
      },
      metadata,
    ),
  };
}

/** The folds' metrics together: coverage and precision when sure, ECE (per fold and pooled). */
export function summariseFolds(
  outputs: FoldOutput[],
  fitting: Fitting,
  useDetector: boolean,
  z = fitting.precisionZ ?? 0,
) {
  const per = outputs.map((o, k) => ({
    n: o.known.length,
    ...crossFitted(outputs, fitting, k, useDetector, z),
  }));
  const n = per.reduce((s, p) => s + p.n, 0);
  const shown = per.flatMap((p) => p.shown);
  const sureN = per.reduce((s, p) => s + p.n * p.sure.coverage, 0);
  return {
    coverage: sureN / n,
    accuracyWhenSure: sureN
      ? per.reduce((s, p) => s + p.n * p.sure.coverage * p.sure.accuracy, 0) / sureN
      : 0,
    ece: per.reduce((s, p) => s + p.n * p.ece, 0) / n,
    eceIfCalibrated: per.reduce((s, p) => s + p.n * p.eceIfCalibrated, 0) / n,
    // Every fold's photos together, each calibrated by its own fold's temperature: five times
    // the photos, so less sampling noise than the per-fold mean.
    ecePooled: expectedCalibrationError(
      shown.map((s) => s.confidence),
      shown.map((s) => s.correct),
    ),
    ecePooledIfCalibrated: eceIfCalibrated(shown.map((s) => s.confidence)),
    unknownAnsweredSure: per.reduce((s, p) => s + p.unknown.answeredSure, 0) / per.length,
    notSureBelow: per.map((p) => Number(p.sure.threshold.toFixed(3))),
    temperature: per.map((p) => Number(p.temperature.toFixed(2))),
  };
}
