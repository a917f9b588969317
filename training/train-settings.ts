/** The options of `npm run train`, validated into training settings. */
import { MOBILENET_V2_PREPROCESSING, NAME_PATTERN, type Preprocessing } from '../shared/pack';
import type { InputSize } from '../shared/preprocess';
import { AUGMENTATIONS, type Augmentation } from './augment';
import { UsageError, parseArgs } from './cli';
import { DEFAULT_FINE_TUNE } from './fine-tune';
import { MAX_FINE_TUNE_BLOCKS } from './tail';
import { DEFAULT_HEAD, type HeadOptions } from './head';
import type { DistanceKind } from './unknown';
import type { HonestSettings } from './cross-fit';
import { BACKBONE_DIR } from './import-backbone';
import { IMAGENET_INPUT } from './mobilenet-v2';

export const OPTIONS = {
  data: 'string',
  name: 'string',
  out: 'string',
  card: 'string',
  backbone: 'string',
  quantize: 'string',
  resize: 'string',
  views: 'number',
  augment: 'string',
  'val-fraction': 'number',
  seed: 'number',
  head: 'string',
  'head-dims': 'number',
  hidden: 'number',
  members: 'number',
  dropout: 'number',
  l2: 'number',
  lr: 'number',
  epochs: 'number',
  patience: 'number',
  batch: 'number',
  'fish-pattern': 'string',
  'cache-dir': 'string',
  'fine-tune-blocks': 'number',
  'fine-tune-lr': 'number',
  'fine-tune-epochs': 'number',
  'whitened-dims': 'number',
  'sure-precision': 'number',
  'sure-precision-z': 'number',
  'unknown-keep': 'number',
  'unknown-distance': 'string',
  refit: 'boolean',
  folds: 'number',
  'fill-dark-borders': 'boolean',
  'stretch-contrast': 'boolean',
  input: 'string',
  'split-out': 'string',
  quiet: 'boolean',
} as const;

/** Heads averaged into one (`--members`): each adds its hidden units to the pack and its epochs to training. */
const MAX_MEMBERS = 10;

export interface TrainSettings {
  data: string;
  name: string;
  out: string;
  card?: string;
  backbone: string;
  dtype: 'float32' | 'float16';
  preprocessing: Preprocessing;
  /** The network input (224 × 224 unless `--input`). */
  size: InputSize;
  views: number;
  augmentation: Augmentation;
  validationFraction: number;
  seed: number;
  head: HeadOptions;
  /** Last blocks of the backbone (plus Conv_1) trained with the head; 0 = frozen backbone. */
  fineTune: { blocks: number; learningRate: number; maxEpochs: number };
  /** Size of the whitened feature space (the head's input, read by unknown-detection). */
  whitenedDims: number;
  /** Fitting of `notSureBelow` and of the unknown threshold on the validation fish. */
  honest: HonestSettings;
  /** After validating, train again on every fish for the best epoch counts (the shipped weights). */
  refit: boolean;
  /** With --refit: also keep the split model's pack (the one measured on the validation fish) here. */
  splitOut?: string;
  /**
   * Instead of one split: K folds by fish, the calibration and thresholds fitted on every fish's
   * out-of-fold outputs, the shipped weights trained on every fish.
   */
  folds?: number;
  fishPattern?: RegExp;
  cacheDir?: string;
  progress: boolean;
}

/**
 * The `--input WIDTHxHEIGHT` option: the network input, 224x224 by default. Each side a multiple of
 * 32 (MobileNetV2's total stride), so every stage's feature map covers the whole input.
 */
export function parseInputSize(value: string | number | boolean | undefined): InputSize {
  if (value === undefined) return IMAGENET_INPUT;
  const m = /^(\d+)x(\d+)$/.exec(String(value));
  const [width, height] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  const fits = (n: number) => n % 32 === 0 && n >= 96 && n <= 640;
  if (!fits(width) || !fits(height))
    throw new UsageError('--input must be WIDTHxHEIGHT, each a multiple of 32 from 96 to 640');
  return { width, height };
}

/** The `--head` option: `softmax` (default) or `centres`. */
export function parseHeadKind(value: string | number | boolean | undefined): HeadOptions['kind'] {
  const kind = String(value ?? DEFAULT_HEAD.kind);
  if (kind !== 'softmax' && kind !== 'centres')
    throw new UsageError('--head must be softmax or centres');
  return kind;
}

/** The `--resize` option: `stretch` (default) or `center-crop`. */
export function parseResize(value: string | number | boolean | undefined): Preprocessing['resize'] {
  const resize = String(value ?? 'stretch');
  if (resize !== 'stretch' && resize !== 'center-crop')
    throw new UsageError('--resize must be stretch or center-crop');
  return resize;
}

/** The `--augment` option: how training views vary a photo, `light` (default) or `water`. */
export function parseAugmentation(value: string | number | boolean | undefined): Augmentation {
  const augmentation = String(value ?? 'light');
  if (!(AUGMENTATIONS as readonly string[]).includes(augmentation))
    throw new UsageError(`--augment must be one of ${AUGMENTATIONS.join(', ')}`);
  return augmentation as Augmentation;
}

/**
 * The `--unknown-distance` option: how the unknown detector scores a photo, `nearest` (the
 * distance to the nearest species centre, default) or `relative` (minus the distance to the
 * centre of all training photos).
 */
export function parseDistanceKind(value: string | number | boolean | undefined): DistanceKind {
  const kind = String(value ?? 'nearest');
  if (kind !== 'nearest' && kind !== 'relative')
    throw new UsageError('--unknown-distance must be nearest or relative');
  return kind;
}

/**
 * The pack's preprocessing from `--resize`, `--fill-dark-borders` and `--stretch-contrast`: what
 * the app will run on every photo, built the same way by `train` and `cross-validate`.
 */
export function packPreprocessing(
  resize: Preprocessing['resize'],
  flags: { 'fill-dark-borders'?: unknown; 'stretch-contrast'?: unknown },
): Preprocessing {
  return {
    ...MOBILENET_V2_PREPROCESSING,
    resize,
    ...(flags['fill-dark-borders'] === true ? { fillDarkBorders: true } : {}),
    ...(flags['stretch-contrast'] === true ? { stretchContrast: true } : {}),
  };
}

/** Validates command-line options into training settings; bad values are UsageErrors. */
export function trainSettings(argv: string[]): TrainSettings {
  const a = parseArgs(argv, OPTIONS);
  for (const required of ['data', 'name', 'out'] as const) {
    if (a[required] === undefined)
      throw new UsageError(
        `--${required} is required (usage: npm run train -- --data <dir> --name <pack> --out <dir>)`,
      );
  }
  const name = String(a.name);
  if (!NAME_PATTERN.test(name))
    throw new UsageError(`--name "${name}" must be lowercase letters, digits, - and _`);
  const quantize = String(a.quantize ?? 'float32');
  if (quantize !== 'float32' && quantize !== 'float16')
    throw new UsageError('--quantize must be float16 or float32');
  const resize = parseResize(a.resize);
  const augmentation = parseAugmentation(a.augment);
  const num = (key: keyof typeof OPTIONS, fallback: number) =>
    a[key] === undefined ? fallback : Number(a[key]);
  const headKind = parseHeadKind(a.head);
  if (headKind === 'centres' && num('hidden', 0) !== 0)
    throw new UsageError('--head centres has no hidden layer: leave out --hidden');
  const members = num('members', 1);
  if (!Number.isInteger(members) || members < 1 || members > MAX_MEMBERS)
    throw new UsageError(`--members must be a whole number from 1 to ${MAX_MEMBERS}`);
  if (headKind === 'centres' && members !== 1)
    throw new UsageError('--head centres is computed, not trained: leave out --members');
  if (a['head-dims'] !== undefined) {
    const d = num('head-dims', 0);
    if (headKind !== 'centres') throw new UsageError('--head-dims needs --head centres');
    if (!Number.isInteger(d) || d < 1 || d > num('whitened-dims', 64))
      throw new UsageError('--head-dims must be a whole number from 1 to --whitened-dims');
  }
  const fineTuneBlocks = num('fine-tune-blocks', 0);
  if (
    !Number.isInteger(fineTuneBlocks) ||
    fineTuneBlocks < 0 ||
    fineTuneBlocks > MAX_FINE_TUNE_BLOCKS
  )
    throw new UsageError(
      `--fine-tune-blocks must be a whole number from 0 (frozen backbone) to ${MAX_FINE_TUNE_BLOCKS} (the 7×7 stage: blocks 14–16)`,
    );
  for (const [key, lo, hi] of [
    ['whitened-dims', 2, 1280],
    ['sure-precision', 0.01, 1],
    ['sure-precision-z', 0, 3],
    ['unknown-keep', 0.5, 1],
  ] as const) {
    const v = a[key];
    if (v !== undefined && !(Number(v) >= lo && Number(v) <= hi))
      throw new UsageError(`--${key} must be between ${lo} and ${hi}`);
  }
  let folds: number | undefined;
  if (a.folds !== undefined) {
    folds = Number(a.folds);
    if (!Number.isInteger(folds) || folds < 2 || folds > 20)
      throw new UsageError('--folds must be a whole number from 2 to 20');
    for (const other of ['val-fraction', 'split-out'] as const)
      if (a[other] !== undefined)
        throw new UsageError(`--folds holds every fish out once: leave out --${other}`);
  }
  let fishPattern: RegExp | undefined;
  if (a['fish-pattern'] !== undefined) {
    try {
      fishPattern = new RegExp(String(a['fish-pattern']));
    } catch {
      throw new UsageError(`--fish-pattern is not a valid regular expression`);
    }
  }
  return {
    data: String(a.data),
    name,
    out: String(a.out),
    card: a.card === undefined ? undefined : String(a.card),
    backbone: String(a.backbone ?? BACKBONE_DIR),
    dtype: quantize,
    preprocessing: packPreprocessing(resize, a),
    size: parseInputSize(a.input),
    views: Math.max(1, Math.round(num('views', 6))),
    augmentation,
    validationFraction: num('val-fraction', 0.2),
    seed: num('seed', 1),
    head: {
      kind: headKind,
      ...(a['head-dims'] === undefined ? {} : { centresDims: num('head-dims', 0) }),
      hidden: num('hidden', DEFAULT_HEAD.hidden),
      members,
      dropout: num('dropout', DEFAULT_HEAD.dropout),
      l2: num('l2', DEFAULT_HEAD.l2),
      learningRate: num('lr', DEFAULT_HEAD.learningRate),
      batchSize: num('batch', DEFAULT_HEAD.batchSize),
      maxEpochs: num('epochs', DEFAULT_HEAD.maxEpochs),
      patience: num('patience', DEFAULT_HEAD.patience),
    },
    fineTune: {
      blocks: fineTuneBlocks,
      learningRate: num('fine-tune-lr', DEFAULT_FINE_TUNE.learningRate),
      maxEpochs: num('fine-tune-epochs', DEFAULT_FINE_TUNE.maxEpochs),
    },
    whitenedDims: Math.round(num('whitened-dims', 64)),
    honest: {
      precision: num('sure-precision', 0.9),
      precisionZ: num('sure-precision-z', 0),
      keep: num('unknown-keep', 0.95),
      distance: parseDistanceKind(a['unknown-distance']),
    },
    refit: a.refit === true || folds !== undefined,
    folds,
    splitOut: a['split-out'] === undefined ? undefined : String(a['split-out']),
    fishPattern,
    cacheDir: a['cache-dir'] === undefined ? undefined : String(a['cache-dir']),
    progress: a.quiet !== true && process.stderr.isTTY === true,
  };
}
