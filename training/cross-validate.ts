/**
 * Compares training variants on every fish, not one split: grouped K-fold by fish (each fold's
 * head never saw the fish it is scored on), on cached backbone features.
 *   npm run -s cross-validate -- --data <dir> --unknown <dir> [--unknown <dir2>] [--views 4] [--l2 0.01]
 * With --fine-tune-blocks N, each fold is fitted as `npm run train` fits a pack (on the whitened
 * features, as --head-on-pca), on cached activations of the layer before the tuned blocks.
 * Calibration, `notSureBelow` and the unknown threshold of fold k are fitted on the other folds'
 * held-out outputs, then applied to fold k: the numbers are what a pack fitted that way would
 * score on fish it never saw. Prints one JSON object.
 */
import { unknownDistance } from '../shared/decision';
import type { Label } from '../shared/pack';
import { initBackend } from './backend';
import { UsageError, isMain, parseArgs, runCli } from './cli';
import { foldsByFish, listImageSet, listImagesDeep } from './dataset';
import { imageFeatures, loadBackbone } from './features';
import { DEFAULT_FINE_TUNE } from './fine-tune';
import { DEFAULT_HEAD, predictHead, trainHead } from './head';
import { BACKBONE_DIR } from './import-backbone';
import { FEATURE_SIZE } from './mobilenet-v2';
import {
  packPreprocessing,
  parseAugmentation,
  parseDistanceKind,
  parseHeadKind,
  parseInputSize,
  parseResize,
} from './train-settings';
import { summariseFolds } from './cross-fit';
import { fitFold, type FoldOutput } from './fold';
import { tailInputLayer } from './tail';
import { rowsOf } from './linalg';
import { detector, detectorParts, fitWhitening, whiten } from './unknown';

/** Area under the ROC curve of "unknown" scores (higher = more unknown) for known vs unknown. */
function auroc(known: number[], unknown: number[]): number {
  let wins = 0;
  for (const u of unknown) for (const k of known) wins += u > k ? 1 : u === k ? 0.5 : 0;
  return wins / Math.max(1, known.length * unknown.length);
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2), {
    data: 'string',
    unknown: 'string',
    'unknown-2': 'string',
    views: 'number',
    'train-views': 'number',
    folds: 'number',
    seed: 'number',
    l2: 'number',
    hidden: 'number',
    members: 'number',
    dropout: 'number',
    lr: 'number',
    dims: 'number',
    precision: 'number',
    'precision-z': 'string',
    keep: 'number',
    'unknown-distance': 'string',
    resize: 'string',
    augment: 'string',
    'fill-dark-borders': 'boolean',
    'stretch-contrast': 'boolean',
    input: 'string',
    head: 'string',
    'head-dims': 'number',
    'head-on-pca': 'boolean',
    'fine-tune-blocks': 'number',
    'fine-tune-lr': 'number',
    'fine-tune-epochs': 'number',
    'cache-dir': 'string',
  });
  if (a.data === undefined) throw new UsageError('--data is required');
  await initBackend();
  const views = Number(a.views ?? 4);
  const trainViews = Number(a['train-views'] ?? views);
  const folds = Number(a.folds ?? 5);
  const dims = Number(a.dims ?? 64);
  const precision = Number(a.precision ?? 0.9);
  // Several values compare the rules on the same heads (dropout makes every run's heads differ).
  const precisionZ = String(a['precision-z'] ?? '0')
    .split(',')
    .map(Number);
  const keep = Number(a.keep ?? 0.95);
  const distance = parseDistanceKind(a['unknown-distance']);
  const kind = parseHeadKind(a.head);
  const head = {
    ...DEFAULT_HEAD,
    kind,
    centresDims: a['head-dims'] === undefined ? undefined : Number(a['head-dims']),
    l2: Number(a.l2 ?? 0.01),
    hidden: Number(a.hidden ?? 0),
    members: Number(a.members ?? 1),
    dropout: Number(a.dropout ?? DEFAULT_HEAD.dropout),
    learningRate: Number(a.lr ?? DEFAULT_HEAD.learningRate),
    seed: Number(a.seed ?? 1),
  };
  const fineTune = {
    blocks: Number(a['fine-tune-blocks'] ?? 0),
    learningRate: Number(a['fine-tune-lr'] ?? DEFAULT_FINE_TUNE.learningRate),
    maxEpochs: Number(a['fine-tune-epochs'] ?? DEFAULT_FINE_TUNE.maxEpochs),
  };
  const resize = parseResize(a.resize);
  const set = await listImageSet(String(a.data));
  const size = parseInputSize(a.input);
  const backbone = await loadBackbone(BACKBONE_DIR, size);
  const options = {
    backbone,
    preprocessing: packPreprocessing(resize, a),
    size,
    layer: fineTune.blocks > 0 ? tailInputLayer(fineTune.blocks) : undefined,
    cacheDir: a['cache-dir'] === undefined ? undefined : String(a['cache-dir']),
  };
  const augmentation = parseAugmentation(a.augment);
  const features = await imageFeatures(
    set.images.map((i) => i.file),
    { ...options, views, augmentation },
  );
  const unknownFiles = [
    ...(a.unknown ? await listImagesDeep(String(a.unknown)) : []),
    ...(a['unknown-2'] ? await listImagesDeep(String(a['unknown-2'])) : []),
  ];
  // Floats per view: pooled features, or the tuned blocks' input activations.
  const row = features[0]!.length / views;
  const unknownX = new Float32Array(unknownFiles.length * row);
  (await imageFeatures(unknownFiles, { ...options, views: 1 })).forEach((f, i) =>
    unknownX.set(f.subarray(0, row), i * row),
  );
  const truth = Int32Array.from(set.images.map((i) => set.labels.indexOf(i.label)));
  const foldOf = foldsByFish(set, folds, Number(a.seed ?? 1));
  const classes = set.labels.length;
  // The head on the whitened features (the pack's layout: backbone → whitening → head; always
  // with fine-tuning or the centres rule) or on all 1280.
  const onWhitened = a['head-on-pca'] === true || kind === 'centres' || fineTune.blocks > 0;
  const outputs: FoldOutput[] = [];
  for (let k = 0; k < folds; k++) {
    const train = set.images.map((_, i) => i).filter((i) => foldOf[i] !== k);
    const held = set.images.map((_, i) => i).filter((i) => foldOf[i] === k);
    const x = new Float32Array(train.length * trainViews * row);
    const y = new Int32Array(train.length * trainViews);
    train.forEach((i, r) => {
      x.set(features[i]!.subarray(0, trainViews * row), r * trainViews * row);
      y.fill(truth[i]!, r * trainViews, (r + 1) * trainViews);
    });
    const heldX = new Float32Array(held.length * row);
    held.forEach((i, r) => heldX.set(features[i]!.subarray(0, row), r * row));
    const heldY = Int32Array.from(held.map((i) => truth[i]!));
    if (onWhitened) {
      // The pack's layout, fitted as `npm run train` fits it (with fine-tuning if asked).
      const log = (line: string) =>
        process.stderr.write(`fold ${k + 1}/${folds}: ${line} (${new Date().toISOString()})\n`);
      const settings = { head, fineTune, whitenedDims: dims, seed: head.seed, progress: false };
      const fresh = async () => (await loadBackbone(BACKBONE_DIR, size)).model;
      const held = { x: heldX, y: heldY };
      outputs.push(await fitFold(settings, classes, { x, y }, held, unknownX, fresh, log));
      continue;
    }
    // The head on all 1280 pooled features; the whitening only for unknown-detection.
    const w = fitWhitening(x, y, classes, FEATURE_SIZE, dims);
    const heldF = whiten(w, heldX, FEATURE_SIZE);
    const unknownF = whiten(w, unknownX, FEATURE_SIZE);
    const fit = await trainHead({ x, y }, { x: heldX, y: heldY }, classes, head);
    const heldP = rowsOf(predictHead(fit.head, heldX), classes);
    const unknownP = rowsOf(predictHead(fit.head, unknownX), classes);
    fit.head.dispose();
    outputs.push({
      known: held.map((i, r) => ({
        probabilities: heldP[r]!,
        features: heldF[r]!,
        truth: truth[i]!,
      })),
      unknown: unknownP.map((p, r) => ({ probabilities: p, features: unknownF[r]! })),
      ...detectorParts(w),
    });
    process.stderr.write(`fold ${k + 1}/${folds}: best epoch ${fit.bestEpoch}\n`);
  }
  const labels: Label[] = set.labels.map((id) => ({ id, latin: id, names: {} }));
  const fitting = { labels, distance, keep, precision };
  const summarise = (useDetector: boolean, z = precisionZ[0]!) =>
    summariseFolds(outputs, fitting, useDetector, z);
  const all = outputs.flatMap((o) => o.known);
  let top1 = 0;
  let top3 = 0;
  for (const r of all) {
    const order = [...r.probabilities.keys()].sort(
      (i, j) => r.probabilities[j]! - r.probabilities[i]!,
    );
    if (order[0] === r.truth) top1++;
    if (order.slice(0, 3).includes(r.truth)) top3++;
  }
  const known = outputs.flatMap((o) =>
    o.known.map((r) => unknownDistance(r.features, detector(o, distance))),
  );
  const unknownD = outputs.flatMap((o) =>
    o.unknown.map((r) => unknownDistance(r.features, detector(o, distance))),
  );
  const msp = (rows: { probabilities: Float32Array }[]) =>
    rows.map((r) => -Math.max(...r.probabilities));
  process.stdout.write(
    `${JSON.stringify({
      data: a.data,
      images: all.length,
      unknown: unknownFiles.length,
      settings: {
        headOnPca: onWhitened,
        fineTune,
        augmentation,
        views,
        trainViews,
        folds,
        seed: a.seed ?? 1,
        head,
        dims,
        precision,
        precisionZ,
        keep,
        unknownDistance: distance,
        resize,
        fillDarkBorders: options.preprocessing.fillDarkBorders === true,
        stretchContrast: options.preprocessing.stretchContrast === true,
        input: `${size.width}x${size.height}`,
      },
      top1: top1 / all.length,
      top3: top3 / all.length,
      auroc: {
        distance: auroc(known, unknownD),
        maxProbability: auroc(
          msp(outputs.flatMap((o) => o.known)),
          msp(outputs.flatMap((o) => o.unknown)),
        ),
      },
      withDetector: summarise(true),
      ...(precisionZ.length > 1
        ? {
            byPrecisionZ: Object.fromEntries(
              precisionZ.map((z) => {
                const { coverage, accuracyWhenSure, unknownAnsweredSure } = summarise(true, z);
                return [z, { coverage, accuracyWhenSure, unknownAnsweredSure }];
              }),
            ),
          }
        : {}),
      probabilityOnly: summarise(false),
    })}\n`,
  );
}

if (isMain(import.meta.url)) runCli(main);
