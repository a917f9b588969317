/**
 * Cross-fitting for `cross-validate`: fold k's temperature, `notSureBelow` and unknown threshold
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
import type { FoldOutput } from './cross-validate-tuned';
import { argmax } from './head';
import { quantile } from './unknown';

/** The pack's unknown detection for one fold's centres (threshold ∞: distances only). */
export const detector = (centres: number[][], scale: number[], threshold = Infinity) => ({
  method: 'nearest-centre' as const,
  layer: 'unknown_embedding',
  centres,
  scale,
  threshold,
});

/** What the cross-fitting aims for: the labels, the unknown detector's keep share, the precision. */
export interface Fitting {
  labels: Label[];
  keep: number;
  precision: number;
}

type FoldMetrics = DecisionMetrics & {
  temperature: number;
  shown: { confidence: number; correct: boolean }[];
};

/** Metrics of fold k's outputs with settings fitted on the other folds. */
function crossFitted(
  outputs: FoldOutput[],
  { labels, keep, precision }: Fitting,
  k: number,
  useDetector: boolean,
  z: number,
): FoldMetrics {
  const classes = labels.length;
  const others = outputs.filter((_, j) => j !== k).flatMap((o) => o.known);
  const temperature = fitTemperature(
    others.map((o) => o.probabilities),
    Int32Array.from(others.map((o) => o.truth)),
  );
  const threshold = useDetector
    ? quantile(
        outputs.flatMap((o, j) =>
          j === k
            ? []
            : o.known.map((r) => unknownDistance(r.features, detector(o.centres, o.scale))),
        ),
        keep,
      )
    : 0;
  const meta = (centres: number[][], scale: number[], notSureBelow: number): DecisionMetadata => ({
    labels,
    notSureBelow,
    calibration: { temperature },
    unknown: useDetector ? detector(centres, scale, threshold) : undefined,
  });
  // notSureBelow: the precision target on the other folds' fish not flagged unknown.
  const kept = outputs.flatMap((o, j) =>
    j === k
      ? []
      : o.known.filter(
          (r) =>
            !useDetector || unknownDistance(r.features, detector(o.centres, o.scale)) <= threshold,
        ),
  );
  const confidence = kept.map((r) => Math.max(...calibrate(r.probabilities, temperature)));
  const correct = kept.map((r) => argmax(r.probabilities, 0, classes) === r.truth);
  const notSureBelow = chooseNotSureBelow(confidence, correct, precision, 0.5, z);
  const o = outputs[k]!;
  return {
    temperature,
    shown: o.known.map((r) => ({
      confidence: Math.max(...calibrate(r.probabilities, temperature)),
      correct: argmax(r.probabilities, 0, classes) === r.truth,
    })),
    ...measureDecisions(
      {
        known: o.known.map((r) => ({ output: r, truth: r.truth })),
        unknown: o.unknown,
      },
      meta(o.centres, o.scale, notSureBelow),
    ),
  };
}

/** The folds' metrics together: coverage and precision when sure, ECE (per fold and pooled). */
export function summariseFolds(
  outputs: FoldOutput[],
  fitting: Fitting,
  useDetector: boolean,
  z: number,
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
    accuracyWhenSure: per.reduce((s, p) => s + p.n * p.sure.coverage * p.sure.accuracy, 0) / sureN,
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
