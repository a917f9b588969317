/**
 * One cross-validation fold with fine-tuning, fitted exactly as `npm run train` fits a pack
 * (`fitClassifier`: head on the frozen tail, tail and head together, then whitening and the
 * pack's head), on cached activations of the layer that feeds the first tuned block.
 */
import { fitClassifier, type FitSettings } from './fit';
import { loadBackbone } from './features';
import { predictHead, type FeatureRows } from './head';
import { BACKBONE_DIR } from './import-backbone';
import { FEATURE_SIZE } from './mobilenet-v2';
import { disposeTail, pooledFeatures, readTail } from './tail';
import { flatten, rowsOf } from './linalg';
import { whiten } from './unknown';

/** What cross-validation keeps of one fold. */
export interface FoldOutput {
  /** Held-out fish of this fold: probabilities, whitened features, true label. */
  known: { probabilities: Float32Array; features: Float32Array; truth: number }[];
  /** The unknown photos through this fold's head. */
  unknown: { probabilities: Float32Array; features: Float32Array }[];
  centres: number[][];
  scale: number[];
}

/**
 * Fits on `train`, stopping early on `held` (as the pipeline does on its validation fish), and
 * predicts the held-out and the unknown rows; `log` gets the fit's epoch lines.
 */
export async function tunedFold(
  settings: FitSettings,
  classes: number,
  train: FeatureRows,
  held: FeatureRows,
  unknownRows: Float32Array,
  log: (line: string) => void = () => {},
): Promise<FoldOutput> {
  // A fresh backbone per fold: the fit writes its tuned blocks back into the model it is given.
  const backbone = await loadBackbone(BACKBONE_DIR);
  const fit = await fitClassifier(settings, backbone.model, classes, train, held, log);
  const tail = readTail(backbone.model, settings.fineTune.blocks);
  try {
    const through = (rows: Float32Array) => {
      const features = whiten(fit.whitening, pooledFeatures(tail, rows), FEATURE_SIZE);
      const batch = flatten(features, fit.whitening.dims);
      const probabilities = rowsOf(predictHead(fit.head, batch), classes);
      return features.map((f, i) => ({ probabilities: probabilities[i]!, features: f }));
    };
    return {
      known: through(held.x).map((r, i) => ({ ...r, truth: held.y[i]! })),
      unknown: through(unknownRows),
      centres: fit.whitening.centres.map((c) => Array.from(c)),
      scale: Array.from(fit.whitening.scale),
    };
  } finally {
    disposeTail(tail);
    fit.head.dispose();
    backbone.model.dispose();
  }
}
