/**
 * Trains a model pack from a folder of labelled photos (one folder per species):
 *   npm run train -- --data <dir> --name <pack> --out <pack dir> [--card <card.json>] [--quantize float16]
 * Frozen MobileNetV2 features (cached under .cache/), augmentation, a new head, validation by fish,
 * early stopping; writes model.json + shards, metadata.json, licences and manifest.json.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { NAME_PATTERN, type Preprocessing, MOBILENET_V2_PREPROCESSING } from '../../shared/pack';
import { initBackend } from './backend';
import { UsageError, isMain, parseArgs, runCli } from './cli';
import { listImageSet, splitByFish, type LabelledImage } from './dataset';
import { imageFeatures, loadBackbone } from './features';
import { DEFAULT_HEAD, predictHead, trainHead, type FeatureRows, type HeadOptions } from './head';
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
  if (a['fine-tune-blocks'] !== undefined && a['fine-tune-blocks'] !== 0) {
    throw new UsageError(
      '--fine-tune-blocks is not supported yet: only the head is trained (use 0)',
    );
  }
  const num = (key: keyof typeof OPTIONS, fallback: number) =>
    a[key] === undefined ? fallback : Number(a[key]);
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
    fishPattern,
    cacheDir: a['cache-dir'] === undefined ? undefined : String(a['cache-dir']),
    progress: a.quiet !== true && process.stderr.isTTY === true,
  };
}

function rows(
  features: Float32Array[],
  images: LabelledImage[],
  labels: string[],
  views: number,
): FeatureRows {
  const x = new Float32Array(images.length * views * FEATURE_SIZE);
  const y = new Int32Array(images.length * views);
  images.forEach((image, i) => {
    x.set(features[i]!.subarray(0, views * FEATURE_SIZE), i * views * FEATURE_SIZE);
    y.fill(labels.indexOf(image.label), i * views, (i + 1) * views);
  });
  return { x, y };
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
  const featureOptions = { backbone, preprocessing: s.preprocessing, size, cacheDir: s.cacheDir };
  const bar = stageBar('backbone features', set.images.length, s.progress);
  const trainFeatures = await imageFeatures(
    split.train.map((i) => i.file),
    { ...featureOptions, views: s.views, onImage: () => bar.tick() },
  );
  const validationFeatures = await imageFeatures(
    split.validation.map((i) => i.file),
    { ...featureOptions, views: 1, onImage: () => bar.tick() },
  );
  bar.stop();
  const train = rows(trainFeatures, split.train, set.labels, s.views);
  const validation =
    split.validation.length > 0
      ? rows(validationFeatures, split.validation, set.labels, 1)
      : undefined;
  if (!validation)
    log(
      'warning: no class has two or more fish, so there is no validation split; training for the full epoch count',
    );
  const epochBar = stageBar('head', s.head.maxEpochs, s.progress);
  const { head, bestEpoch, epochs } = await trainHead(
    train,
    validation,
    set.labels.length,
    s.head,
    (r) =>
      epochBar.tick(
        Number.isNaN(r.validationLoss)
          ? `loss ${r.loss.toFixed(3)}`
          : `loss ${r.loss.toFixed(3)} val ${r.validationLoss.toFixed(3)} top-1 ${(100 * r.validationTop1).toFixed(1)}%`,
      ),
  );
  epochBar.stop();
  log(`head: ${epochs} epochs, best at epoch ${bestEpoch}`);
  const validationFloat32 = validation
    ? evaluatePredictions(predictHead(head, validation.x), validation.y, set.labels)
    : undefined;
  const model = buildPackModel(backbone.model, head, set.labels.length, s.head);
  const labels = packLabels(set.labels, card);
  const attachments = cardAttachments(card, baseDir);
  await writePack(s.out, {
    model,
    dtype: s.dtype,
    attachments,
    metadata: {
      name: s.name,
      description: card.description,
      createdAt: new Date().toISOString(),
      tool: TOOL,
      architecture: 'MobileNetV2 1.0 224 (ImageNet, frozen) + dense softmax head',
      modelFormat: 'tfjs-layers',
      input: { width: INPUT_SIZE, height: INPUT_SIZE, channels: 3 },
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
        epochs: { run: epochs, best: bestEpoch },
      },
    },
  });
  tf.dispose(head.getWeights());
  // Measure the pack as shipped (after quantization) on the validation fish, through the app's path.
  let summary = '';
  if (validation) {
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
    await finishPackMetadata(s.out, {
      validation: evaluation,
      ...(s.dtype !== 'float32' && validationFloat32 ? { validationFloat32 } : {}),
    });
    summary = formatEvaluation(evaluation, set.labels);
    if (validationFloat32 && s.dtype !== 'float32')
      summary += `\nfloat32 head on the same fish: top-1 ${(100 * validationFloat32.top1).toFixed(1)}%, top-3 ${(100 * validationFloat32.top3).toFixed(1)}%`;
  }
  summary += `\npack written to ${s.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  return summary;
}

async function main(): Promise<void> {
  console.log(await trainPack(trainSettings(process.argv.slice(2))));
}

if (isMain(import.meta.url)) runCli(main);
