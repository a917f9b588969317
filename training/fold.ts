/**
 * One fold of a K-fold fit by fish, fitted exactly as `npm run train` fits a pack
 * (`fitClassifier`: with fine-tuning the head on the frozen tail, then tail and head together; then
 * the whitening and the pack's head), stopping early on the held-out fish. Rows are cached pooled
 * features, or with fine-tuning activations of the layer that feeds the first tuned block.
 */
import type * as tf from '@tensorflow/tfjs';
import { fitClassifier, type FitSettings } from './fit';
import { predictHead, type FeatureRows } from './head';
import { FEATURE_SIZE } from './mobilenet-v2';
import { disposeTail, pooledFeatures, readTail } from './tail';
import { flatten, rowsOf } from './linalg';
import { whiten } from './unknown';

/** What is kept of one fold: its model's outputs on fish it never saw. */
export interface FoldOutput {
  /** Held-out fish of this fold: probabilities, whitened features, true label. */
  known: { probabilities: Float32Array; features: Float32Array; truth: number }[];
  /** The unknown photos through this fold's head. */
  unknown: { probabilities: Float32Array; features: Float32Array }[];
  centres: number[][];
  scale: number[];
}

/** A fold's outputs and the epoch counts its early stopping chose. */
export interface FoldFit extends FoldOutput {
  bestEpochs: { head: number; fineTune: number };
}

/**
 * Fits on `train`, stopping early on `held`, and predicts the held-out and the unknown rows; `log`
 * gets the fit's epoch lines. `backbone` is asked for a fresh model only when fine-tuning: the fit
 * writes its tuned blocks back into the model it is given.
 */
export async function fitFold(
  settings: FitSettings,
  classes: number,
  train: FeatureRows,
  held: FeatureRows,
  unknownRows: Float32Array,
  backbone: () => Promise<tf.LayersModel>,
  log: (line: string) => void = () => {},
): Promise<FoldFit> {
  const blocks = settings.fineTune.blocks;
  const model = blocks > 0 ? await backbone() : undefined;
  const fit = await fitClassifier(settings, model, classes, train, held, log);
  const tail = model && readTail(model, blocks);
  try {
    const through = (rows: Float32Array) => {
      const features = whiten(
        fit.whitening,
        tail ? pooledFeatures(tail, rows) : rows,
        FEATURE_SIZE,
      );
      const batch = flatten(features, fit.whitening.dims);
      const probabilities = rowsOf(predictHead(fit.head, batch), classes);
      return features.map((f, i) => ({ probabilities: probabilities[i]!, features: f }));
    };
    return {
      known: through(held.x).map((r, i) => ({ ...r, truth: held.y[i]! })),
      unknown: unknownRows.length > 0 ? through(unknownRows) : [],
      centres: fit.whitening.centres.map((c) => Array.from(c)),
      scale: Array.from(fit.whitening.scale),
      bestEpochs: { head: fit.headEpochs.best, fineTune: fit.fineTuneEpochs?.best ?? 0 },
    };
  } finally {
    if (tail) disposeTail(tail);
    fit.head.dispose();
    model?.dispose();
  }
}
