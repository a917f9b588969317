/**
 * Trains a model pack from a folder of labelled photos (one folder per species):
 *   npm run train -- --data <dir> --name <pack> --out <pack dir> [--card <card.json>] [--quantize float16]
 * Frozen MobileNetV2 features (cached under .cache/), augmentation, a new head, validation by fish,
 * early stopping; writes model.json + shards, metadata.json, licences and manifest.json.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  NAME_PATTERN,
  type Evaluation,
  type Preprocessing,
  MOBILENET_V2_PREPROCESSING,
} from '../shared/pack';
import { initBackend } from './backend';
import { UsageError, isMain, parseArgs, runCli } from './cli';
import { listImageSet, seededRandom, splitByFish, type LabelledImage } from './dataset';
import { imageFeatures, loadBackbone } from './features';
import {
  DEFAULT_FINE_TUNE,
  MAX_FINE_TUNE_BLOCKS,
  disposeTail,
  fineTune,
  pooledFeatures,
  readTail,
  tailInputLayer,
  writeTail,
} from './fine-tune';
import {
  DEFAULT_HEAD,
  type EpochReport,
  balancedClassWeights,
  predictHead,
  trainHead,
  type FeatureRows,
  type HeadOptions,
} from './head';
import { BACKBONE_DIR } from './import-backbone';
import { evaluatePredictions, formatEvaluation } from './metrics';
import { FEATURE_SIZE, INPUT_SIZE } from './mobilenet-v2';
import { loadLayersModel } from './model-files';
import {
  buildPackModel,
  cardAttachments,
  packLabels,
  readPackCard,
  writePack,
} from './pack-writer';
import { predictFiles } from './predict';
import { stageBar } from './progress';
import { finishPackMetadata } from './pack-metrics';

export const TOOL = { name: 'fishlens-train', version: '0.1.0' };

const OPTIONS = {
  data: 'string',
  name: 'string',
  out: 'string',
  card: 'string',
  backbone: 'string',
  quantize: 'string',
  resize: 'string',
  views: 'number',
  'val-fraction': 'number',
  seed: 'number',
  hidden: 'number',
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
  refit: 'boolean',
  quiet: 'boolean',
} as const;

export interface TrainSettings {
  data: string;
  name: string;
  out: string;
  card?: string;
  backbone: string;
  dtype: 'float32' | 'float16';
  preprocessing: Preprocessing;
  views: number;
  validationFraction: number;
  seed: number;
  head: HeadOptions;
  /** Last blocks of the backbone (plus Conv_1) trained with the head; 0 = frozen backbone. */
  fineTune: { blocks: number; learningRate: number; maxEpochs: number };
  /** After validating, train again on every fish for the best epoch counts (the shipped weights). */
  refit: boolean;
  fishPattern?: RegExp;
  cacheDir?: string;
  progress: boolean;
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
  const resize = String(a.resize ?? 'stretch');
  if (resize !== 'stretch' && resize !== 'center-crop')
    throw new UsageError('--resize must be stretch or center-crop');
  const num = (key: keyof typeof OPTIONS, fallback: number) =>
    a[key] === undefined ? fallback : Number(a[key]);
  const fineTuneBlocks = num('fine-tune-blocks', 0);
  if (
    !Number.isInteger(fineTuneBlocks) ||
    fineTuneBlocks < 0 ||
    fineTuneBlocks > MAX_FINE_TUNE_BLOCKS
  )
    throw new UsageError(
      `--fine-tune-blocks must be a whole number from 0 (frozen backbone) to ${MAX_FINE_TUNE_BLOCKS} (the 7×7 stage: blocks 14–16)`,
    );
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
    preprocessing: { ...MOBILENET_V2_PREPROCESSING, resize },
    views: Math.max(1, Math.round(num('views', 6))),
    validationFraction: num('val-fraction', 0.2),
    seed: num('seed', 1),
    head: {
      hidden: num('hidden', DEFAULT_HEAD.hidden),
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
    refit: a.refit === true,
    fishPattern,
    cacheDir: a['cache-dir'] === undefined ? undefined : String(a['cache-dir']),
    progress: a.quiet !== true && process.stderr.isTTY === true,
  };
}

/** One row per view (`rowSize` floats each: pooled features or tail-input activations) and its label. */
function rows(
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

const epochInfo = (r: EpochReport) =>
  Number.isNaN(r.validationLoss)
    ? `loss ${r.loss.toFixed(3)}`
    : `loss ${r.loss.toFixed(3)} val ${r.validationLoss.toFixed(3)} top-1 ${(100 * r.validationTop1).toFixed(1)}%`;

/** What one fit produced: the head, and (when tuning) the backbone's tail written back into `backbone`. */
interface Fit {
  head: tf.LayersModel;
  headEpochs: { run: number; best: number };
  fineTuneEpochs?: { run: number; best: number };
  /** The float32 model on the validation rows (before quantization). */
  validationFloat32?: Evaluation;
}

/**
 * Trains the head (and the last blocks, with --fine-tune-blocks) on rows of cached features.
 * With validation rows: early stopping. Without: `epochs` fixes how many epochs each stage runs.
 */
async function fitClassifier(
  s: TrainSettings,
  backbone: tf.LayersModel,
  labels: string[],
  trainRows: FeatureRows,
  validationRows: FeatureRows | undefined,
  log: (line: string) => void,
  epochs?: { head: number; fineTune: number },
): Promise<Fit> {
  const blocks = s.fineTune.blocks;
  const classes = labels.length;
  // The head first learns on pooled features of the frozen backbone (through the frozen tail when tuning).
  const tail = blocks > 0 ? readTail(backbone, blocks) : undefined;
  try {
    const pooled = (r: FeatureRows): FeatureRows =>
      tail ? { x: pooledFeatures(tail, r.x), y: r.y } : r;
    const headOptions = epochs ? { ...s.head, maxEpochs: epochs.head } : s.head;
    const epochBar = stageBar('head', headOptions.maxEpochs, s.progress);
    const {
      head,
      bestEpoch,
      epochs: run,
    } = await trainHead(
      pooled(trainRows),
      validationRows && pooled(validationRows),
      classes,
      headOptions,
      (r) => epochBar.tick(epochInfo(r)),
    );
    epochBar.stop();
    log(`head: ${run} epochs${validationRows ? `, best at epoch ${bestEpoch}` : ''}`);
    const fit: Fit = { head, headEpochs: { run, best: bestEpoch } };
    if (tail) {
      const maxEpochs = epochs ? epochs.fineTune : s.fineTune.maxEpochs;
      const tuneBar = stageBar(
        `fine-tuning ${blocks} block${blocks > 1 ? 's' : ''}`,
        maxEpochs,
        s.progress,
      );
      const result = await fineTune(
        tail,
        head,
        trainRows,
        validationRows,
        classes,
        {
          learningRate: s.fineTune.learningRate,
          headLearningRate: s.head.learningRate / 10,
          l2: s.head.l2,
          batchSize: s.head.batchSize,
          maxEpochs,
          patience: DEFAULT_FINE_TUNE.patience,
          classWeight: balancedClassWeights(trainRows.y, classes),
        },
        (r) => tuneBar.tick(epochInfo(r)),
        seededRandom(s.seed),
      );
      tuneBar.stop();
      if (validationRows)
        log(
          `fine-tuning: ${result.epochs} epochs, best at epoch ${result.bestEpoch} (0 = head only)`,
        );
      fit.fineTuneEpochs = { run: result.epochs, best: result.bestEpoch };
      writeTail(tail, backbone);
    }
    if (validationRows)
      fit.validationFloat32 = evaluatePredictions(
        predictHead(head, pooled(validationRows).x),
        validationRows.y,
        labels,
      );
    return fit;
  } finally {
    if (tail) disposeTail(tail);
  }
}

/** Trains and writes a pack; returns a short human summary. */
export async function trainPack(
  s: TrainSettings,
  log: (line: string) => void = console.log,
): Promise<string> {
  const started = Date.now();
  const backend = await initBackend();
  const set = await listImageSet(s.data, { fishPattern: s.fishPattern });
  const { card, baseDir } = await readPackCard(s.card);
  const split = splitByFish(set, s.validationFraction, s.seed);
  const fishCount = (images: LabelledImage[]) => new Set(images.map((i) => i.fishKey)).size;
  log(
    `${set.labels.length} classes, ${set.images.length} images: train ${split.train.length} (${fishCount(split.train)} fish), validation ${split.validation.length} (${fishCount(split.validation)} fish) [${backend}]`,
  );
  const backbone = await loadBackbone(s.backbone);
  const size = { width: INPUT_SIZE, height: INPUT_SIZE };
  const blocks = s.fineTune.blocks;
  const refit = s.refit && split.validation.length > 0;
  // With fine-tuning, cache the activations that feed the first tuned block instead of pooled features.
  const featureOptions = {
    backbone,
    preprocessing: s.preprocessing,
    size,
    cacheDir: s.cacheDir,
    layer: blocks > 0 ? tailInputLayer(blocks) : undefined,
  };
  const bar = stageBar(
    blocks > 0 ? 'backbone activations' : 'backbone features',
    set.images.length,
    s.progress,
  );
  const trainFeatures = await imageFeatures(
    split.train.map((i) => i.file),
    { ...featureOptions, views: s.views, onImage: () => bar.tick() },
  );
  // Validation uses view 0 (what the app computes); a refit also trains on the augmented views.
  const validationFeatures = await imageFeatures(
    split.validation.map((i) => i.file),
    { ...featureOptions, views: refit ? s.views : 1, onImage: () => bar.tick() },
  );
  bar.stop();
  const trainRows = rows(trainFeatures, split.train, set.labels, s.views);
  const validationRows =
    split.validation.length > 0
      ? rows(
          validationFeatures.map((f) => f.subarray(0, f.length / (refit ? s.views : 1))),
          split.validation,
          set.labels,
          1,
        )
      : undefined;
  if (!validationRows)
    log(
      'warning: no class has two or more fish, so there is no validation split; training for the full epoch count',
    );
  const fit = await fitClassifier(s, backbone.model, set.labels, trainRows, validationRows, log);
  const labels = packLabels(set.labels, card);
  const attachments = cardAttachments(card, baseDir);
  const metadata = (f: Fit, refitOn?: { images: number; fish: number }) => ({
    name: s.name,
    description: card.description,
    display: card.display,
    createdAt: new Date().toISOString(),
    tool: TOOL,
    architecture:
      blocks > 0
        ? `MobileNetV2 1.0 224 (ImageNet; blocks ${17 - blocks}-16 and Conv_1 fine-tuned, batch norm frozen) + dense softmax head`
        : 'MobileNetV2 1.0 224 (ImageNet, frozen) + dense softmax head',
    modelFormat: 'tfjs-layers' as const,
    input: { width: INPUT_SIZE, height: INPUT_SIZE, channels: 3 as const },
    preprocessing: s.preprocessing,
    labels,
    notSureBelow: card.notSureBelow ?? 0.5,
    quantization: s.dtype,
    metrics: {},
    training: {
      data:
        card.data.length > 0
          ? card.data
          : [
              {
                name: path.basename(path.resolve(s.data)),
                source: s.data,
                licence: 'unknown',
                credit: 'unknown',
                images: set.images.length,
              },
            ],
      images: { train: split.train.length, validation: split.validation.length },
      fish: { train: fishCount(split.train), validation: fishCount(split.validation) },
      split: `by fish (video/track key from file names), ${Math.round(100 * s.validationFraction)}% of each class's frames (whole fish only, at least one fish per class), seed ${s.seed}`,
      augmentation:
        s.views > 1
          ? `${s.views - 1} random views per image: 75-100% crops, mirror, brightness/contrast/colour jitter`
          : 'none',
      head: s.head,
      epochs: fit.headEpochs,
      ...(fit.fineTuneEpochs
        ? {
            fineTune: {
              blocks,
              learningRate: s.fineTune.learningRate,
              epochs: fit.fineTuneEpochs,
            },
          }
        : {}),
      ...(refitOn
        ? {
            refit: {
              ...refitOn,
              epochs: { head: f.headEpochs.run, fineTune: f.fineTuneEpochs?.run ?? 0 },
              note: 'the shipped weights were trained again on all fish (training + validation) for the best epoch counts found with the split; metrics.validation is the split model, which never saw the validation fish',
            },
          }
        : {}),
    },
  });
  const write = async (
    from: tf.LayersModel,
    f: Fit,
    refitOn?: { images: number; fish: number },
  ) => {
    const model = buildPackModel(from, f.head, set.labels.length, s.head);
    await writePack(s.out, {
      model,
      dtype: s.dtype,
      attachments,
      metadata: metadata(f, refitOn),
      references: card.references && { images: set.images, source: card.references },
    });
    tf.dispose(f.head.getWeights());
  };
  await write(backbone.model, fit);
  // Measure the pack as written (after quantization) on the validation fish, through the app's path.
  let summary = '';
  let measured: { validation: Evaluation; validationFloat32?: Evaluation } | undefined;
  if (validationRows) {
    const shipped = await loadLayersModel(s.out);
    const evalBar = stageBar('validating pack', split.validation.length, s.progress);
    const probabilities = await predictFiles(
      shipped,
      split.validation.map((i) => i.file),
      { preprocessing: s.preprocessing, size, onImage: () => evalBar.tick() },
    );
    evalBar.stop();
    shipped.dispose();
    const truth = Int32Array.from(split.validation.map((i) => set.labels.indexOf(i.label)));
    const evaluation = evaluatePredictions(probabilities, truth, set.labels);
    measured = {
      validation: evaluation,
      ...(s.dtype !== 'float32' && fit.validationFloat32
        ? { validationFloat32: fit.validationFloat32 }
        : {}),
    };
    summary = formatEvaluation(evaluation, set.labels);
    if (fit.validationFloat32 && s.dtype !== 'float32')
      summary += `\nfloat32 head on the same fish: top-1 ${(100 * fit.validationFloat32.top1).toFixed(1)}%, top-3 ${(100 * fit.validationFloat32.top3).toFixed(1)}%`;
  }
  if (refit) {
    // Train again from the frozen backbone on every fish, as many epochs as the split found best.
    const all = rows(
      [...trainFeatures, ...validationFeatures],
      [...split.train, ...split.validation],
      set.labels,
      s.views,
    );
    const fresh = await loadBackbone(s.backbone);
    const again = await fitClassifier(s, fresh.model, set.labels, all, undefined, log, {
      head: Math.max(1, fit.headEpochs.best),
      fineTune: fit.fineTuneEpochs?.best ?? 0,
    });
    await write(fresh.model, again, { images: set.images.length, fish: fishCount(set.images) });
    fresh.model.dispose();
    summary += `\nrefit on all ${set.images.length} images (${fishCount(set.images)} fish) for ${again.headEpochs.run} head epochs${again.fineTuneEpochs ? ` and ${again.fineTuneEpochs.run} fine-tuning epochs` : ''}; the validation numbers above are the split model's`;
  }
  if (measured) await finishPackMetadata(s.out, measured);
  summary += `\npack written to ${s.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  return summary;
}

async function main(): Promise<void> {
  console.log(await trainPack(trainSettings(process.argv.slice(2))));
}

if (isMain(import.meta.url)) runCli(main);
