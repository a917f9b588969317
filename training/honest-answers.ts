/**
 * Fits what makes a pack's answers honest: the temperature, the unknown-detection threshold (a
 * share `keep` of the fitting fish stays below it) and `notSureBelow` (the lowest threshold whose
 * "sure" answers reach `precision` on the fitting fish that are not flagged unknown). Either on a
 * written pack's outputs for its validation fish (through the app's preprocessing and decision
 * code), or on the out-of-fold outputs of every fish (K folds by fish).
 */
import { calibrate, unknownDistance, type ModelOutput } from '../shared/decision';
import type { Calibration, Evaluation, Label, UnknownDetection } from '../shared/pack';
import { chooseNotSureBelow, fitTemperature, measureDecisions } from './calibration';
import { fitAnswers, summariseFolds, type HonestSettings } from './cross-fit';
import type { FoldOutput } from './fold';
import { evaluatePredictions } from './metrics';
import { detector, detectorParts, quantile, type DistanceKind, type Whitening } from './unknown';

export interface HonestAnswers {
  calibration: Calibration;
  unknown: UnknownDetection;
  notSureBelow: number;
  /** The measurement on fish the model never saw, with `sure` and `ece`. */
  validation: Evaluation;
}

/** Unknown-detection data for a whitening and a threshold (the pack's `unknown` metadata). */
export function unknownDetection(
  whitening: Whitening,
  threshold: number,
  distance: DistanceKind,
): UnknownDetection {
  // Six significant digits: the scores they feed are compared with a fitted threshold.
  const round = (v: number) => Number(v.toPrecision(6));
  return detector(detectorParts(whitening, round), distance, round(threshold));
}

export function fitHonestAnswers(
  outputs: ModelOutput[],
  truth: Int32Array,
  labels: Label[],
  whitening: Whitening,
  s: HonestSettings,
): HonestAnswers {
  const temperature = fitTemperature(
    outputs.map((o) => o.probabilities),
    truth,
  );
  const open = unknownDetection(whitening, Infinity, s.distance);
  const distances = outputs.map((o) => unknownDistance(o.features ?? [], open));
  const unknown = unknownDetection(whitening, quantile(distances, s.keep), s.distance);
  const kept = outputs.map((_, i) => i).filter((i) => distances[i]! <= unknown.threshold);
  const top = (o: ModelOutput) => {
    const p = calibrate(o.probabilities, temperature);
    const best = p.indexOf(Math.max(...p));
    return { p: p[best]!, index: best };
  };
  const chosen =
    s.notSureBelow ??
    chooseNotSureBelow(
      kept.map((i) => top(outputs[i]!).p),
      kept.map((i) => top(outputs[i]!).index === truth[i]),
      s.precision,
      0.5,
      s.precisionZ ?? 0,
    );
  // Rounded once, so the stored threshold is the one the metrics were measured with.
  const notSureBelow = Math.min(1, Number(chosen.toFixed(4)));
  const calibration = { temperature: Number(temperature.toPrecision(6)) };
  const metadata = { labels, notSureBelow, calibration, unknown };
  const decisions = measureDecisions(
    { known: outputs.map((output, i) => ({ output, truth: truth[i]! })), unknown: [] },
    metadata,
  );
  return {
    calibration,
    unknown,
    notSureBelow,
    validation: {
      ...evaluatePredictions(
        probabilityRows(outputs, labels.length),
        truth,
        labels.map((l) => l.id),
      ),
      sure: decisions.sure,
      ece: decisions.ece,
      eceIfCalibrated: decisions.eceIfCalibrated,
    },
  };
}

/** Class probabilities of many outputs, one row after another (for `evaluatePredictions`). */
function probabilityRows(outputs: { probabilities: ArrayLike<number> }[], classes: number) {
  const rows = new Float32Array(outputs.length * classes);
  outputs.forEach((o, i) => rows.set(o.probabilities, i * classes));
  return rows;
}

/**
 * The answers fitted on every fish's out-of-fold outputs; the unknown detector's centres are
 * `whitening`'s (the shipped model's). `validation` is out of sample throughout: top-1, top-3 and
 * the confusion of the folds' models on their held-out fish, and "sure" and ECE cross-fitted
 * (each fold's photos decided with settings fitted on the other folds).
 */
export function fitHonestAnswersOnFolds(
  folds: FoldOutput[],
  labels: Label[],
  whitening: Whitening,
  s: HonestSettings,
): HonestAnswers {
  const fitting = { labels, ...s };
  const fitted = fitAnswers(folds, fitting);
  const measured = summariseFolds(folds, fitting, true);
  const known = folds.flatMap((o) => o.known);
  const notSureBelow = Math.min(1, Number(fitted.notSureBelow.toFixed(4)));
  return {
    calibration: { temperature: Number(fitted.temperature.toPrecision(6)) },
    unknown: unknownDetection(whitening, fitted.threshold, s.distance),
    notSureBelow,
    validation: {
      ...evaluatePredictions(
        probabilityRows(known, labels.length),
        Int32Array.from(known.map((r) => r.truth)),
        labels.map((l) => l.id),
      ),
      sure: {
        threshold: notSureBelow,
        coverage: measured.coverage,
        accuracy: measured.accuracyWhenSure,
      },
      ece: measured.ecePooled,
      eceIfCalibrated: measured.ecePooledIfCalibrated,
    },
  };
}
