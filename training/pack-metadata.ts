/** The metadata.json a training run writes: what the pack is, how it was trained, on what data. */
import path from 'node:path';
import type { Label, PackMetadata, Preprocessing } from '../shared/pack';
import type { InputSize } from '../shared/preprocess';
import type { Augmentation } from './augment';
import type { LabelledImage } from './dataset';
import type { Fit, FitSettings } from './fit';
import type { PackCard } from './pack-writer';

export const TOOL = { name: 'fishlens-train', version: '0.2.0' };

export interface RunDescription {
  name: string;
  data: string;
  preprocessing: Preprocessing;
  size: InputSize;
  views: number;
  augmentation: Augmentation;
  validationFraction: number;
  seed: number;
  fit: FitSettings;
  card: PackCard;
  labels: Label[];
  images: LabelledImage[];
  split: { train: LabelledImage[]; validation: LabelledImage[] };
  /** Instead of a split: K folds by fish, and the epoch counts each fold's early stopping chose. */
  folds?: { k: number; bestEpochs: { head: number; fineTune: number }[] };
  dtype: 'float32' | 'float16';
}

/** `224` for the square ImageNet input, `320x160` otherwise (as in the model's usual name). */
const inputName = ({ width, height }: InputSize) =>
  width === height ? `${width}` : `${width}x${height}`;

/** The head in words, for `architecture`. */
export function headDescription(head: FitSettings['head'], dims: number): string {
  if (head.kind === 'centres')
    return `nearest-centre head on the leading ${head.centresDims ?? dims} coordinates (as a dense softmax layer)`;
  const members = head.members ?? 1;
  if (head.hidden === 0)
    return members > 1 ? `${members} dense softmax heads averaged as one` : 'dense softmax head';
  const layer = `a hidden layer of ${head.hidden} ReLU units`;
  return members > 1
    ? `${members} softmax heads, each with ${layer}, averaged as one`
    : `softmax head with ${layer}`;
}

export const fishCount = (images: LabelledImage[]) => new Set(images.map((i) => i.fishKey)).size;

/** Metadata of a pack trained by `fit` (a refit when `refitOn` is given), before measurements. */
export function packMetadata(
  r: RunDescription,
  f: Fit,
  refitOn?: { images: number; fish: number },
): Omit<PackMetadata, 'format'> {
  const blocks = r.fit.fineTune.blocks;
  const { card } = r;
  return {
    name: r.name,
    description: card.description,
    display: card.display,
    createdAt: new Date().toISOString(),
    tool: TOOL,
    architecture: `MobileNetV2 1.0 ${inputName(r.size)} (ImageNet${
      blocks > 0
        ? `; blocks ${17 - blocks}-16 and Conv_1 fine-tuned, batch norm frozen`
        : ', frozen'
    }) + ${f.whitening.dims}-d whitening of the pooled features + ${headDescription(
      r.fit.head,
      f.whitening.dims,
    )}`,
    modelFormat: 'tfjs-layers',
    input: { ...r.size, channels: 3 },
    preprocessing: r.preprocessing,
    labels: r.labels,
    notSureBelow: card.notSureBelow ?? 0.5,
    quantization: r.dtype,
    metrics: {},
    training: {
      data:
        card.data.length > 0
          ? card.data
          : [
              {
                name: path.basename(path.resolve(r.data)),
                source: r.data,
                licence: 'unknown',
                credit: 'unknown',
                images: r.images.length,
              },
            ],
      ...(r.folds
        ? {
            images: { train: r.images.length },
            fish: { train: fishCount(r.images) },
            folds: {
              k: r.folds.k,
              note: `every fish held out once (${r.folds.k} folds by fish, video/track key from file names, seed ${r.seed}); the calibration and thresholds are fitted on the folds' models' outputs for their held-out fish, and metrics.validation is measured on them out of sample ("sure" and ECE cross-fitted: each fold decided with settings fitted on the other folds)`,
              bestEpochs: r.folds.bestEpochs,
            },
          }
        : {
            images: { train: r.split.train.length, validation: r.split.validation.length },
            fish: { train: fishCount(r.split.train), validation: fishCount(r.split.validation) },
            split: `by fish (video/track key from file names), ${Math.round(100 * r.validationFraction)}% of each class's frames (whole fish only, at least one fish per class), seed ${r.seed}`,
          }),
      augmentation:
        r.views > 1
          ? `${r.views - 1} random views per image: 75-100% crops, mirror, brightness/contrast/colour jitter${r.augmentation === 'water' ? ', grey, water tint, murk, blur' : ''}`
          : 'none',
      head: r.fit.head,
      whitenedDims: f.whitening.dims,
      epochs: f.headEpochs,
      ...(f.fineTuneEpochs
        ? {
            fineTune: {
              blocks,
              learningRate: r.fit.fineTune.learningRate,
              epochs: f.fineTuneEpochs,
            },
          }
        : {}),
      ...(refitOn
        ? {
            refit: {
              ...refitOn,
              epochs: { head: f.headEpochs.run, fineTune: f.fineTuneEpochs?.run ?? 0 },
              note: r.folds
                ? 'the shipped weights are trained on all fish for the median of the folds’ best epoch counts'
                : 'the shipped weights were trained again on all fish (training + validation) for the best epoch counts found with the split; metrics.validation, the calibration and the thresholds are the split model’s, fitted and measured on the validation fish it never saw',
            },
          }
        : {}),
    },
  };
}
