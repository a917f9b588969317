/**
 * One fit of a pack's trainable parts on rows of cached backbone outputs: optionally the last
 * blocks of the backbone (fine-tuning), then the whitening that unknown-detection reads, then the
 * head on the whitened features. With validation rows: early stopping; without, fixed epochs.
 */
import type * as tf from '@tensorflow/tfjs';
import { seededRandom } from './dataset';
import { centresHead } from './centres-head';
import { DEFAULT_FINE_TUNE, fineTune } from './fine-tune';
import {
  balancedClassWeights,
  predictHead,
  trainHead,
  type EpochReport,
  type FeatureRows,
  type HeadOptions,
} from './head';
import { flatten } from './linalg';
import { FEATURE_SIZE } from './mobilenet-v2';
import { stageBar } from './progress';
import { disposeTail, pooledFeatures, readTail, writeTail } from './tail';
import { fitWhitening, whiten, type Whitening } from './unknown';

export interface FitSettings {
  head: HeadOptions;
  fineTune: { blocks: number; learningRate: number; maxEpochs: number };
  /** Size of the whitened feature space the head and unknown-detection read. */
  whitenedDims: number;
  seed: number;
  progress: boolean;
}

/** What one fit produced; the tuned tail (if any) is written back into the backbone passed in. */
export interface Fit {
  whitening: Whitening;
  head: tf.LayersModel;
  headEpochs: { run: number; best: number };
  fineTuneEpochs?: { run: number; best: number };
  /** Class probabilities of the validation rows (float32, before the pack is written). */
  validationProbabilities?: Float32Array;
}

const epochInfo = (r: EpochReport) =>
  Number.isNaN(r.validationLoss)
    ? `loss ${r.loss.toFixed(3)}`
    : `loss ${r.loss.toFixed(3)} val ${r.validationLoss.toFixed(3)} top-1 ${(100 * r.validationTop1).toFixed(1)}%`;

async function head(
  s: FitSettings,
  train: FeatureRows,
  validation: FeatureRows | undefined,
  classes: number,
  inputSize: number,
  epochs: number | undefined,
  name: string,
): Promise<{ head: tf.LayersModel; run: number; best: number }> {
  const options = { ...s.head, seed: s.seed, ...(epochs ? { maxEpochs: epochs } : {}) };
  const bar = stageBar(name, options.maxEpochs, s.progress);
  const fit = await trainHead(
    train,
    validation,
    classes,
    options,
    (r) => bar.tick(epochInfo(r)),
    inputSize,
  );
  bar.stop();
  return { head: fit.head, run: fit.epochs, best: fit.bestEpoch };
}

/**
 * Fits on `train` rows (pooled features, or tail-input activations when fine-tuning) with
 * early stopping on `validation`; `epochs` (from an earlier validated fit) fixes the epoch counts.
 */
export async function fitClassifier(
  s: FitSettings,
  backbone: tf.LayersModel | undefined,
  classes: number,
  train: FeatureRows,
  validation: FeatureRows | undefined,
  log: (line: string) => void,
  epochs?: { head: number; fineTune: number },
): Promise<Fit> {
  const blocks = s.fineTune.blocks;
  if (blocks > 0 && !backbone) throw new Error('fine-tuning needs the backbone model');
  const tail = blocks > 0 && backbone ? readTail(backbone, blocks) : undefined;
  let fineTuneEpochs: Fit['fineTuneEpochs'];
  try {
    const pooled = (r: FeatureRows): FeatureRows =>
      tail ? { x: pooledFeatures(tail, r.x), y: r.y } : r;
    if (tail) {
      // Fine-tuning starts from a head on the frozen tail's pooled features.
      const start = await head(
        s,
        pooled(train),
        validation && pooled(validation),
        classes,
        FEATURE_SIZE,
        epochs?.head,
        'head (for tuning)',
      );
      const maxEpochs = epochs ? epochs.fineTune : s.fineTune.maxEpochs;
      const bar = stageBar(`fine-tuning ${blocks} block(s)`, maxEpochs, s.progress);
      const result = await fineTune(
        tail,
        start.head,
        train,
        validation,
        classes,
        {
          learningRate: s.fineTune.learningRate,
          headLearningRate: s.head.learningRate / 10,
          l2: s.head.l2,
          batchSize: s.head.batchSize,
          maxEpochs,
          patience: DEFAULT_FINE_TUNE.patience,
          classWeight: balancedClassWeights(train.y, classes),
        },
        (r) => bar.tick(epochInfo(r)),
        seededRandom(s.seed),
      );
      bar.stop();
      start.head.dispose();
      if (validation)
        log(
          `fine-tuning: ${result.epochs} epochs, best at epoch ${result.bestEpoch} (0 = head only)`,
        );
      fineTuneEpochs = { run: result.epochs, best: result.bestEpoch };
      if (backbone) writeTail(tail, backbone);
    }
    const trainPooled = pooled(train);
    const whitening = fitWhitening(trainPooled.x, train.y, classes, FEATURE_SIZE, s.whitenedDims);
    const whitened = (r: FeatureRows): FeatureRows => ({
      x: flatten(whiten(whitening, r.x, FEATURE_SIZE), whitening.dims),
      y: r.y,
    });
    const validationWhitened = validation && whitened(pooled(validation));
    const fit =
      s.head.kind === 'centres'
        ? { head: centresHead(whitening, whitened(trainPooled), classes, s.head), run: 0, best: 0 }
        : await head(
            s,
            whitened(trainPooled),
            validationWhitened,
            classes,
            whitening.dims,
            epochs?.head,
            'head',
          );
    log(
      s.head.kind === 'centres'
        ? 'head: nearest class centre'
        : `head: ${fit.run} epochs${validation ? `, best at epoch ${fit.best}` : ''}`,
    );
    return {
      whitening,
      head: fit.head,
      headEpochs: { run: fit.run, best: fit.best },
      ...(fineTuneEpochs ? { fineTuneEpochs } : {}),
      ...(validationWhitened
        ? { validationProbabilities: predictHead(fit.head, validationWhitened.x) }
        : {}),
    };
  } finally {
    if (tail) disposeTail(tail);
  }
}
