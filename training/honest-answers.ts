/**
 * Measures a written pack on its validation fish, through the app's preprocessing and decision
 * code, and fits what makes its answers honest: the temperature, the unknown-detection threshold
 * (a share `keep` of validation fish stays below it) and `notSureBelow` (the lowest threshold
 * whose "sure" answers reach `precision` on the validation fish that are not flagged unknown).
 */
import { calibrate, unknownDistance, type ModelOutput } from '../shared/decision';
import type { Calibration, Evaluation, Label, UnknownDetection } from '../shared/pack';
import { chooseNotSureBelow, fitTemperature, measureDecisions } from './calibration';
import { evaluatePredictions } from './metrics';
import { quantile, type Whitening } from './unknown';

export interface HonestSettings {
  /** Target share of "sure" answers that are right, on the validation fish. */
  precision: number;
  /** Share of validation fish that unknown-detection must let through. */
  keep: number;
  /** A fixed threshold (from the pack card) instead of one chosen for `precision`. */
  notSureBelow?: number;
}

export interface HonestAnswers {
  calibration: Calibration;
  unknown: UnknownDetection;
  notSureBelow: number;
  /** The split model's measurement on the validation fish, with `sure` and `ece`. */
  validation: Evaluation;
}

/** Unknown-detection data for a whitening and a threshold (the pack's `unknown` metadata). */
export function unknownDetection(
  whitening: Whitening,
  layer: string,
  threshold: number,
): UnknownDetection {
  return {
    method: 'nearest-centre',
    layer,
    // Six significant digits: the distances they feed are compared with a fitted threshold.
    centres: whitening.centres.map((c) => Array.from(c, (v) => Number(v.toPrecision(6)))),
    scale: Array.from(whitening.scale, (v) => Number(v.toPrecision(6))),
    threshold: Number(threshold.toPrecision(6)),
  };
}

export function fitHonestAnswers(
  outputs: ModelOutput[],
  truth: Int32Array,
  labels: Label[],
  whitening: Whitening,
  layer: string,
  s: HonestSettings,
): HonestAnswers {
  const temperature = fitTemperature(
    outputs.map((o) => o.probabilities),
    truth,
  );
  const open = unknownDetection(whitening, layer, Infinity);
  const distances = outputs.map((o) => unknownDistance(o.features ?? [], open));
  const unknown = unknownDetection(whitening, layer, quantile(distances, s.keep));
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
    );
  // Rounded once, so the stored threshold is the one the metrics were measured with.
  const notSureBelow = Math.min(1, Number(chosen.toFixed(4)));
  const calibration = { temperature: Number(temperature.toPrecision(6)) };
  const metadata = { labels, notSureBelow, calibration, unknown };
  const decisions = measureDecisions(
    { known: outputs.map((output, i) => ({ output, truth: truth[i]! })), unknown: [] },
    metadata,
  );
  const probabilities = new Float32Array(outputs.length * labels.length);
  outputs.forEach((o, i) => probabilities.set(o.probabilities, i * labels.length));
  return {
    calibration,
    unknown,
    notSureBelow,
    validation: {
      ...evaluatePredictions(
        probabilities,
        truth,
        labels.map((l) => l.id),
      ),
      sure: decisions.sure,
      ece: decisions.ece,
      eceIfCalibrated: decisions.eceIfCalibrated,
    },
  };
}
