/**
 * A head computed from the class centres instead of trained by gradient descent: the
 * nearest-centre rule in the whitened principal coordinates (linear discriminant analysis with
 * each coordinate's within-class spread, the geometry the unknown detector measures in). With
 * 4–17 fish per species, a head fitted to the frames may learn what tells those few fish apart;
 * the centres average over them. Measured on river and reef fish (training/README.md), it was not
 * better overall than the trained head the packs use, so it is an option, not the default.
 *
 * The squared distance −½ Σⱼ sⱼ² (zⱼ − μ_cⱼ)² is, up to a term that is the same for every class,
 * linear in z: Σⱼ sⱼ² μ_cⱼ zⱼ − ½ Σⱼ sⱼ² μ_cⱼ². So the head ships as the pack's usual dense
 * softmax layer and the app runs it unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { goldenSectionMinimum } from './calibration';
import { buildHead, type FeatureRows, type HeadOptions } from './head';
import type { Whitening } from './unknown';

/** Mean negative log-likelihood of softmax(logits / t) (rows × classes) against labels. */
function nll(logits: Float32Array, y: Int32Array, classes: number, t: number): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[i * classes + c]! / t);
    let total = 0;
    for (let c = 0; c < classes; c++) total += Math.exp(logits[i * classes + c]! / t - max);
    sum += max + Math.log(total) - logits[i * classes + y[i]!]! / t;
  }
  return sum / Math.max(1, y.length);
}

/**
 * The nearest-centre head on whitened rows (`whitening.dims` wide; it reads the leading
 * `options.centresDims` of them, the kernel's other rows are zero). Distances in 64–256
 * dimensions differ by hundreds between classes; the logits are divided by the softness that
 * fits the training rows best, so the probabilities do not saturate in float32 and the pack's
 * temperature (fitted later on fish the head never saw) has something to work on.
 */
export function centresHead(
  whitening: Whitening,
  train: FeatureRows,
  classes: number,
  options: HeadOptions,
): tf.LayersModel {
  const dims = whitening.dims;
  const read = Math.min(dims, options.centresDims ?? dims);
  const kernel = new Float32Array(dims * classes);
  const bias = new Float32Array(classes);
  whitening.centres.forEach((centre, c) => {
    for (let j = 0; j < read; j++) {
      const s2 = whitening.scale[j]! ** 2;
      kernel[j * classes + c] = s2 * centre[j]!;
      bias[c]! -= 0.5 * s2 * centre[j]! ** 2;
    }
  });
  const logits = tf.tidy(
    () =>
      tf
        .tensor2d(train.x, [train.y.length, dims])
        .matMul(tf.tensor2d(kernel, [dims, classes]))
        .add(tf.tensor1d(bias))
        .dataSync() as Float32Array,
  );
  const softness = Math.exp(
    goldenSectionMinimum((x) => nll(logits, train.y, classes, Math.exp(x)), -5, 12),
  );
  const head = buildHead(classes, { ...options, hidden: 0 }, dims);
  tf.tidy(() =>
    head
      .getLayer('predictions')
      .setWeights([
        tf.tensor2d(kernel, [dims, classes]).div(softness),
        tf.tensor1d(bias).div(softness),
      ]),
  );
  // Never trained: free the optimizer buildHead compiled it with (as trainHead does).
  head.optimizer.dispose();
  return head;
}
