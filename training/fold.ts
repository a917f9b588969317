/**
 * K-fold fits by fish on cached backbone outputs, each fold fitted exactly as `npm run train` fits
 * a pack (`fitClassifier`: with fine-tuning the head on the frozen tail, then tail and head
 * together; then the whitening and the pack's head), stopping early on the held-out fish. Rows are
 * cached pooled features, or with fine-tuning activations of the layer that feeds the first tuned
 * block.
 */
import type * as tf from '@tensorflow/tfjs';
import { foldsByFish, type ImageSet, type LabelledImage } from './dataset';
import { fitClassifier, type FitSettings } from './fit';
import { predictHead, type FeatureRows } from './head';
import { FEATURE_SIZE } from './mobilenet-v2';
import { fishCount } from './pack-metadata';
import { disposeTail, pooledFeatures, readTail } from './tail';
import { flatten, median, rowsOf } from './linalg';
import { detectorParts, whiten, type DetectorParts } from './unknown';

/** What is kept of one fold: its model's outputs on fish it never saw, and its detector's data. */
export interface FoldOutput extends DetectorParts {
  /** Held-out fish of this fold: probabilities, whitened features, true label. */
  known: { probabilities: Float32Array; features: Float32Array; truth: number }[];
  /** The unknown photos through this fold's head. */
  unknown: { probabilities: Float32Array; features: Float32Array }[];
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
      ...detectorParts(fit.whitening),
      bestEpochs: { head: fit.headEpochs.best, fineTune: fit.fineTuneEpochs?.best ?? 0 },
    };
  } finally {
    if (tail) disposeTail(tail);
    fit.head.dispose();
    model?.dispose();
  }
}

/** One row per view (`rowSize` floats each: pooled features or tail-input activations) and its label. */
export function featureRows(
  features: Float32Array[],
  images: LabelledImage[],
  labels: string[],
  views: number,
): FeatureRows {
  const rowSize = images.length > 0 ? features[0]!.length / views : FEATURE_SIZE;
  const x = new Float32Array(images.length * views * rowSize);
  const y = new Int32Array(images.length * views);
  images.forEach((image, i) => {
    x.set(features[i]!.subarray(0, views * rowSize), i * views * rowSize);
    y.fill(labels.indexOf(image.label), i * views, (i + 1) * views);
  });
  return { x, y };
}

/**
 * K folds by fish on the cached features (view 0 of the held-out fish, as the app sees them):
 * each fold's model fitted as the pack is, its outputs on its held-out fish kept, and the epoch
 * counts (the folds' median best) for the shipped model trained on every fish.
 */
export async function fitFoldsByFish(
  k: number,
  seed: number,
  views: number,
  fitSettings: FitSettings,
  set: ImageSet,
  features: Float32Array[],
  backbone: () => Promise<tf.LayersModel>,
  log: (line: string) => void,
) {
  const foldOf = foldsByFish(set, k, seed);
  const outputs: FoldFit[] = [];
  for (let fold = 0; fold < k; fold++) {
    const pick = (held: boolean) => set.images.filter((_, i) => (foldOf[i] === fold) === held);
    const featuresOf = (held: boolean) => features.filter((_, i) => (foldOf[i] === fold) === held);
    const heldOut = pick(true);
    const train = featureRows(featuresOf(false), pick(false), set.labels, views);
    const held = featureRows(
      featuresOf(true).map((f) => f.subarray(0, f.length / views)),
      heldOut,
      set.labels,
      1,
    );
    log(`fold ${fold + 1}/${k}: ${heldOut.length} images (${fishCount(heldOut)} fish) held out`);
    outputs.push(
      await fitFold(
        fitSettings,
        set.labels.length,
        train,
        held,
        new Float32Array(0),
        backbone,
        log,
      ),
    );
  }
  const bestEpochs = outputs.map((o) => o.bestEpochs);
  return {
    outputs,
    bestEpochs,
    epochs: {
      head: Math.max(1, median(bestEpochs.map((e) => e.head))),
      fineTune: median(bestEpochs.map((e) => e.fineTune)),
    },
  };
}
