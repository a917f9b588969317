/**
 * Fine-tuning of the last inverted-residual blocks of MobileNetV2 (and its final 1×1 `Conv_1`)
 * together with the head, on cached activations of the layer that feeds the first tuned block.
 * The tail itself (its variables and differentiable forward pass) is `tail.ts`.
 */
import * as tf from '@tensorflow/tfjs';
import { shuffleInPlace } from './dataset';
import { type EpochReport, type FeatureRows, predictHead, scoreProbabilities } from './head';
import { pooledFeatures, tailFeatures, type Tail } from './tail';

/** Defaults of `npm run train -- --fine-tune-blocks N`: a small learning rate, early stopping after 4 epochs. */
export const DEFAULT_FINE_TUNE = { learningRate: 1e-4, maxEpochs: 12, patience: 4 };

/** Tail-input activations of many images: one row of h·w·c floats per view, and its label. */
export type ActivationRows = FeatureRows;

export interface FineTuneOptions {
  /** Learning rate of the tail (the head uses `headLearningRate`). */
  learningRate: number;
  headLearningRate: number;
  l2: number;
  batchSize: number;
  maxEpochs: number;
  patience: number;
  classWeight: Record<number, number>;
}

function validationReport(
  tail: Tail,
  head: tf.LayersModel,
  validation: ActivationRows,
  classes: number,
): { loss: number; top1: number } {
  return scoreProbabilities(
    predictHead(head, pooledFeatures(tail, validation.x)),
    validation.y,
    classes,
  );
}

/**
 * Trains the tail and the head together (softmax cross-entropy with class weights, L2 on the head's
 * kernels, dropout as in the head), starting from the frozen-backbone head. Keeps the weights of the
 * epoch with the lowest validation loss — epoch 0 is the starting point, so fine-tuning that does not
 * help on the validation fish leaves the pack as it was. Without validation, runs `maxEpochs`.
 */
export async function fineTune(
  tail: Tail,
  head: tf.LayersModel,
  train: ActivationRows,
  validation: ActivationRows | undefined,
  classes: number,
  options: FineTuneOptions,
  onEpoch?: (report: EpochReport) => void,
  random: () => number = Math.random,
): Promise<{ bestEpoch: number; epochs: number; startLoss: number }> {
  const [h, w, c] = tail.inputShape;
  const per = h * w * c;
  const n = train.y.length;
  const headVariables = head.trainableWeights.map((v) => v.read() as tf.Variable);
  const headKernels = head.trainableWeights
    .filter((v) => v.name.includes('kernel'))
    .map((v) => v.read());
  const tailOptimizer = tf.train.adam(options.learningRate);
  const headOptimizer = tf.train.adam(options.headLearningRate);
  const weightOf = Float32Array.from({ length: classes }, (_, k) => options.classWeight[k] ?? 1);
  const snapshot = () => [...tail.variables, ...headVariables].map((v) => v.clone());
  const start = validation ? validationReport(tail, head, validation, classes) : undefined;
  let best = { loss: start?.loss ?? Infinity, epoch: 0, weights: snapshot() };
  let epochsRun = 0;
  const batch = new Float32Array(options.batchSize * per);
  try {
    for (let epoch = 1; epoch <= options.maxEpochs; epoch++) {
      epochsRun = epoch;
      const order = shuffleInPlace(
        Int32Array.from({ length: n }, (_, i) => i),
        random,
      );
      let lossSum = 0;
      for (let at = 0; at < n; at += options.batchSize) {
        const count = Math.min(options.batchSize, n - at);
        const labels = new Int32Array(count);
        for (let i = 0; i < count; i++) {
          const row = order[at + i]!;
          batch.set(train.x.subarray(row * per, (row + 1) * per), i * per);
          labels[i] = train.y[row]!;
        }
        const loss = tf.tidy(() => {
          const x = tf.tensor4d(batch.subarray(0, count * per), [count, h, w, c]);
          const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat();
          const weights = tf.tensor1d(Float32Array.from(labels, (k) => weightOf[k]!));
          const { value, grads } = tf.variableGrads(() => {
            const features = tailFeatures(tail, x);
            const p = head.apply(features, { training: true }) as tf.Tensor2D;
            const ce = y.mul(p.clipByValue(1e-7, 1).log()).sum(1).neg().mul(weights).mean();
            const l2 = headKernels.reduce<tf.Scalar>(
              (s, k) => s.add(k.square().sum().mul(options.l2)),
              tf.scalar(0),
            );
            return ce.add<tf.Scalar>(l2);
          }, [...tail.variables, ...headVariables]);
          tailOptimizer.applyGradients(
            tail.variables.map((v) => ({ name: v.name, tensor: grads[v.name]! })),
          );
          headOptimizer.applyGradients(
            headVariables.map((v) => ({ name: v.name, tensor: grads[v.name]! })),
          );
          return value.dataSync()[0]!;
        });
        lossSum += loss * count;
        // Let progress bars and signals through between batches.
        if (at % (options.batchSize * 16) === 0) await new Promise((r) => setImmediate(r));
      }
      const loss = lossSum / n;
      if (!validation) {
        onEpoch?.({ epoch, loss, validationLoss: NaN, validationTop1: NaN });
        continue;
      }
      const report = validationReport(tail, head, validation, classes);
      onEpoch?.({ epoch, loss, validationLoss: report.loss, validationTop1: report.top1 });
      if (report.loss < best.loss) {
        tf.dispose(best.weights);
        best = { loss: report.loss, epoch, weights: snapshot() };
      } else if (epoch - best.epoch >= options.patience) break;
    }
    if (validation) {
      [...tail.variables, ...headVariables].forEach((v, i) => v.assign(best.weights[i]!));
    }
  } finally {
    tf.dispose(best.weights);
    tailOptimizer.dispose();
    headOptimizer.dispose();
  }
  return {
    bestEpoch: validation ? best.epoch : options.maxEpochs,
    epochs: epochsRun,
    startLoss: start?.loss ?? NaN,
  };
}
