/**
 * THE decision Fishlens makes from one forward pass of a pack's model: calibrated probabilities,
 * and whether to name a species ("sure"), step back ("not-sure"), or say the photo shows none of
 * the pack's species ("unknown"). The classifier worker (browser) and `npm run eval` (Node) both
 * call `decide`, so the numbers measured in evaluation are the answers the app gives.
 */
import type { PackMetadata, UnknownDetection } from './pack';

export type Verdict = 'sure' | 'not-sure' | 'unknown';

export interface RankedLabel {
  /** Position of the label in the pack's label list (and the model's output). */
  index: number;
  id: string;
  /** Calibrated probability. */
  probability: number;
}

export interface Decision {
  verdict: Verdict;
  /** Every label, most probable first, calibrated probabilities. */
  ranked: RankedLabel[];
}

/** What the model computed for one photo. */
export interface ModelOutput {
  /** The model's output: class probabilities in label order. */
  probabilities: ArrayLike<number>;
  /** Output of the pack's `unknown.layer` in the same forward pass, when the pack has one. */
  features?: ArrayLike<number>;
}

export type DecisionMetadata = Pick<
  PackMetadata,
  'labels' | 'notSureBelow' | 'calibration' | 'unknown'
>;

/** Probabilities softened (temperature > 1) or sharpened: softmax(log p / temperature). */
export function calibrate(probabilities: ArrayLike<number>, temperature: number): number[] {
  const n = probabilities.length;
  const logits = new Array<number>(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    // log 0 = -Infinity stays a probability of 0; the softmax below handles it.
    const value = Math.log(Math.max(0, probabilities[i]!)) / temperature;
    logits[i] = value;
    if (value > max) max = value;
  }
  if (!Number.isFinite(max)) return Array.from({ length: n }, () => 1 / n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += logits[i] = Math.exp(logits[i]! - max);
  return logits.map((v) => v / sum);
}

/**
 * The detector's score for `features`: the mean squared (scaled) distance to the nearest class
 * centre, minus the mean squared (scaled) distance to the origin when the pack's detector is
 * relative (`background`).
 */
export function unknownDistance(features: ArrayLike<number>, unknown: UnknownDetection): number {
  const { scale, background } = unknown;
  const n = features.length;
  for (const perCoordinate of [scale, background])
    if (perCoordinate && perCoordinate.length !== n)
      throw new RangeError(`features have ${n} values, the pack's scales ${perCoordinate.length}`);
  let best = Infinity;
  for (const centre of unknown.centres) {
    if (centre.length !== n)
      throw new RangeError(`features have ${n} values, the pack's centres ${centre.length}`);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += ((features[i]! - centre[i]!) * (scale ? scale[i]! : 1)) ** 2;
    if (sum < best) best = sum;
  }
  if (background) for (let i = 0; i < n; i++) best -= (features[i]! * background[i]!) ** 2;
  return best / Math.max(1, n);
}

/**
 * The decision for one model output. Packs without calibration or unknown-detection data (bare
 * exports), and outputs without `features`, fall back to the probability threshold `notSureBelow`.
 */
export function decide(output: ModelOutput, metadata: DecisionMetadata): Decision {
  const { labels, calibration, unknown } = metadata;
  if (output.probabilities.length !== labels.length)
    throw new RangeError(
      `the model gave ${output.probabilities.length} probabilities for ${labels.length} labels`,
    );
  const probabilities = calibration
    ? calibrate(output.probabilities, calibration.temperature)
    : Array.from(output.probabilities);
  const ranked = probabilities
    .map((probability, index) => ({ index, id: labels[index]!.id, probability }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index);
  let verdict: Verdict = ranked[0]!.probability >= metadata.notSureBelow ? 'sure' : 'not-sure';
  if (unknown && output.features && unknownDistance(output.features, unknown) > unknown.threshold)
    verdict = 'unknown';
  return { verdict, ranked };
}

/** A probability as the UI shows it, in whole percent: never 100, and never 0 for a listed label. */
export function displayPercent(probability: number): number {
  const percent = Math.round(100 * (Number.isFinite(probability) ? probability : 0));
  return Math.min(99, Math.max(1, percent));
}
