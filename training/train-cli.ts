/**
 * Trains a model pack from a folder of labelled photos (one folder per species):
 *   npm run train -- --data <dir> --name <pack> --out <pack dir> [--card <card.json>] [--quantize float16]
 * MobileNetV2 features (cached under .cache/), augmentation, optional fine-tuning of the last
 * blocks, a whitening of the pooled features and a new head, validation by fish with early
 * stopping; then calibration, unknown-detection and `notSureBelow` fitted on the validation fish
 * (with `--folds K`: on every fish, each scored by a fold's model that never saw it).
 * Writes model.json + shards, metadata.json, reference photos, licences and manifest.json.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { METADATA_FILE, metadataSchema } from '../shared/pack';
import { initBackend } from './backend';
import { isMain, runCli } from './cli';
import { listImageSet, splitByFish } from './dataset';
import { imageFeatures, loadBackbone } from './features';
import { tailInputLayer } from './tail';
import { fitClassifier, type Fit } from './fit';
import { featureRows, fitFoldsByFish } from './fold';
import {
  fitHonestAnswers,
  fitHonestAnswersOnFolds,
  unknownDetection,
  type HonestAnswers,
} from './honest-answers';
import { formatEvaluation } from './metrics';
import { loadLayersModel } from './model-files';
import { fishCount, packMetadata, type RunDescription } from './pack-metadata';
import {
  buildPackModel,
  cardAttachments,
  packLabels,
  readPackCard,
  writeManifest,
  writePack,
} from './pack-writer';
import { predictOutputs } from './predict';
import { EMBEDDING_LAYER } from './unknown';
import { stageBar } from './progress';
import { trainSettings, type TrainSettings } from './train-settings';

/** Trains and writes a pack; returns a short human summary. */
export async function trainPack(
  s: TrainSettings,
  log: (line: string) => void = console.log,
): Promise<string> {
  const started = Date.now();
  const backend = await initBackend();
  const set = await listImageSet(s.data, { fishPattern: s.fishPattern });
  const { card, baseDir } = await readPackCard(s.card);
  // With folds every fish trains the shipped model; the folds' models are measured instead.
  const split = s.folds
    ? { train: set.images, validation: [] }
    : splitByFish(set, s.validationFraction, s.seed);
  log(
    s.folds
      ? `${set.labels.length} classes, ${set.images.length} images (${fishCount(set.images)} fish) in ${s.folds} folds by fish [${backend}]`
      : `${set.labels.length} classes, ${set.images.length} images: train ${split.train.length} (${fishCount(split.train)} fish), validation ${split.validation.length} (${fishCount(split.validation)} fish) [${backend}]`,
  );
  const { size } = s;
  const backbone = await loadBackbone(s.backbone, size);
  const blocks = s.fineTune.blocks;
  const refit = s.refit && split.validation.length > 0;
  // With fine-tuning, cache the activations that feed the first tuned block instead of pooled features.
  const featureOptions = {
    backbone,
    preprocessing: s.preprocessing,
    size,
    augmentation: s.augmentation,
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
  const trainRows = featureRows(trainFeatures, split.train, set.labels, s.views);
  const validationRows =
    split.validation.length > 0
      ? featureRows(
          validationFeatures.map((f) => f.subarray(0, f.length / (refit ? s.views : 1))),
          split.validation,
          set.labels,
          1,
        )
      : undefined;
  if (!validationRows && !s.folds)
    log(
      'warning: no class has two or more fish, so there is no validation split; training for the full epoch count',
    );
  const fitSettings = {
    head: s.head,
    fineTune: s.fineTune,
    whitenedDims: s.whitenedDims,
    seed: s.seed,
    progress: s.progress,
  };
  const labels = packLabels(set.labels, card);
  const folds =
    s.folds === undefined
      ? undefined
      : await fitFoldsByFish(
          s.folds,
          s.seed,
          s.views,
          fitSettings,
          set,
          trainFeatures,
          async () => (await loadBackbone(s.backbone, size)).model,
          log,
        );
  const fit = await fitClassifier(
    fitSettings,
    backbone.model,
    set.labels.length,
    trainRows,
    validationRows,
    log,
    folds?.epochs,
  );
  const run: RunDescription = {
    ...s,
    fit: fitSettings,
    card,
    labels,
    images: set.images,
    split,
    folds: folds && { k: folds.outputs.length, bestEpochs: folds.bestEpochs },
  };
  const attachments = cardAttachments(card, baseDir);
  const write = async (
    from: tf.LayersModel,
    f: Fit,
    refitOn?: { images: number; fish: number },
  ) => {
    const model = buildPackModel(from, f.whitening, f.head, set.labels.length, s.head);
    await writePack(s.out, {
      model,
      dtype: s.dtype,
      attachments,
      metadata: packMetadata(run, f, refitOn),
      references: card.references && { images: set.images, source: card.references },
    });
    tf.dispose(f.head.getWeights());
  };
  if (folds) {
    const all = { images: set.images.length, fish: fishCount(set.images) };
    await write(backbone.model, fit, all);
    const honest = fitHonestAnswersOnFolds(folds.outputs, labels, fit.whitening, {
      ...s.honest,
      notSureBelow: card.notSureBelow,
    });
    await finishPack(s.out, honest);
    return `${formatEvaluation(honest.validation, set.labels)}\n${answersLine(honest)}; all out of fold (${folds.outputs.length} folds by fish)\ntrained on all ${all.images} images (${all.fish} fish) for ${fit.headEpochs.run} head epochs${fit.fineTuneEpochs ? ` and ${fit.fineTuneEpochs.run} fine-tuning epochs` : ''} (the folds' median best)\npack written to ${s.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  }
  await write(backbone.model, fit);
  // Measure the pack as written (after quantization) on the validation fish, through the app's
  // preprocessing and decision code, and fit calibration and thresholds on those outputs.
  let summary = '';
  let honest: HonestAnswers | undefined;
  if (validationRows) {
    const shipped = await loadLayersModel(s.out);
    const evalBar = stageBar('validating pack', split.validation.length, s.progress);
    const outputs = await predictOutputs(
      shipped,
      split.validation.map((i) => i.file),
      {
        preprocessing: s.preprocessing,
        size,
        featureLayer: EMBEDDING_LAYER,
        onImage: () => evalBar.tick(),
      },
    );
    evalBar.stop();
    shipped.dispose();
    const truth = Int32Array.from(split.validation.map((i) => set.labels.indexOf(i.label)));
    honest = fitHonestAnswers(outputs, truth, labels, fit.whitening, {
      ...s.honest,
      notSureBelow: card.notSureBelow,
    });
    summary = `${formatEvaluation(honest.validation, set.labels)}\n${answersLine(honest)}`;
  }
  let final = fit;
  if (refit && s.splitOut && honest) {
    await rm(s.splitOut, { recursive: true, force: true });
    await cp(s.out, s.splitOut, { recursive: true });
    await finishPack(s.splitOut, honest);
  }
  if (refit) {
    // Train again from the frozen backbone on every fish, as many epochs as the split found best.
    const all = featureRows(
      [...trainFeatures, ...validationFeatures],
      [...split.train, ...split.validation],
      set.labels,
      s.views,
    );
    const fresh = await loadBackbone(s.backbone, size);
    final = await fitClassifier(fitSettings, fresh.model, set.labels.length, all, undefined, log, {
      head: Math.max(1, fit.headEpochs.best),
      fineTune: fit.fineTuneEpochs?.best ?? 0,
    });
    await write(fresh.model, final, { images: set.images.length, fish: fishCount(set.images) });
    fresh.model.dispose();
    const head =
      s.head.kind === 'centres'
        ? ': the class centres of every fish'
        : ` for ${final.headEpochs.run} head epochs`;
    summary += `\nrefit on all ${set.images.length} images (${fishCount(set.images)} fish)${head}${final.fineTuneEpochs ? ` and ${final.fineTuneEpochs.run} fine-tuning epochs` : ''}; the validation numbers above are the split model's`;
  }
  await finishPack(
    s.out,
    honest && {
      ...honest,
      unknown: unknownDetection(final.whitening, honest.unknown.threshold, s.honest.distance),
    },
  );
  summary += `\npack written to ${s.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  return summary;
}

const answersLine = (h: HonestAnswers) =>
  `temperature ${h.calibration.temperature}, notSureBelow ${h.notSureBelow.toFixed(3)}, unknown above ${h.unknown.threshold}`;

/** Adds the fitted answers and the measured metrics to the written pack. */
async function finishPack(dir: string, honest: HonestAnswers | undefined): Promise<void> {
  if (!honest) return;
  const file = path.join(dir, METADATA_FILE);
  const metadata = metadataSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  metadata.calibration = honest.calibration;
  metadata.unknown = honest.unknown;
  metadata.notSureBelow = honest.notSureBelow;
  metadata.metrics = { ...metadata.metrics, validation: honest.validation };
  await writeFile(file, `${JSON.stringify(metadataSchema.parse(metadata), null, 2)}\n`);
  await writeManifest(dir);
}

async function main(): Promise<void> {
  console.log(await trainPack(trainSettings(process.argv.slice(2))));
}

if (isMain(import.meta.url)) runCli(main);
