import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../shared/decision';
import {
  evaluationSchema,
  manifestSchema,
  metadataSchema,
  MOBILENET_V2_PREPROCESSING,
} from '../shared/pack';
import { eceIfCalibrated, expectedCalibrationError } from './calibration';
import { listImageSet, listImagesDeep } from './dataset';
import { evaluatePack } from './eval-cli';
import { BACKBONE_DIR } from './import-backbone';
import { loadLayersModel } from './model-files';
import { predictOutputs } from './predict';
import { trainPack } from './train-cli';
import { parseAugmentation, parseResize, trainSettings } from './train-settings';

const FIXTURES = path.resolve('tests/fixtures/fish');
const NON_FISH = path.resolve('training/data/non-fish');
const run = promisify(execFile);
let work: string;
let pack: string;
/** What a person writes about the pack: its title in two languages and where its photos come from. */
const CARD = {
  display: {
    title: { en: 'Fixture fish', ru: 'Рыбы для проверки' },
    description: { en: 'Three river fish.', ru: 'Три речные рыбы.' },
  },
  references: { credit: 'EGU2017 FishNet data', licence: 'MIT', perLabel: 2 },
};

/** Runs a training CLI the way a person does; resolves with its exit code and output. */
async function cli(
  script: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', `training/${script}`, ...args], {
      timeout: 180_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'fishlens-train-'));
  pack = path.join(work, 'pack');
  const card = path.join(work, 'card.json');
  await writeFile(card, JSON.stringify(CARD));
  const settings = trainSettings([
    ...['--data', FIXTURES, '--name', 'fixture-fish', '--out', pack, '--quantize', 'float16'],
    ...['--card', card],
    ...['--whitened-dims', '16', '--lr', '0.01'],
    // No dropout: with the seeded weights and row order, the same fish give the same pack.
    ...['--dropout', '0'],
    ...[
      '--views',
      '2',
      '--epochs',
      '60',
      '--patience',
      '60',
      '--val-fraction',
      '0.25',
      '--cache-dir',
      path.join(work, 'cache'),
      '--quiet',
    ],
  ]);
  await trainPack(settings, () => {});
}, 300_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('train + eval on the fixture fish', () => {
  it('writes a pack whose metadata and manifest validate and whose manifest hashes match the files', async () => {
    const metadata = metadataSchema.parse(
      JSON.parse(await readFile(path.join(pack, 'metadata.json'), 'utf8')),
    );
    expect(metadata.labels.map((l) => l.id)).toEqual(['bream', 'burbot', 'perch']);
    expect(metadata.quantization).toBe('float16');
    expect(metadata.metrics.validation?.n).toBe(3);
    const manifest = manifestSchema.parse(
      JSON.parse(await readFile(path.join(pack, 'manifest.json'), 'utf8')),
    );
    expect(manifest.files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['model.json', 'metadata.json']),
    );
    for (const file of manifest.files) {
      const bytes = await readFile(path.join(pack, file.path));
      expect(bytes.byteLength).toBe(file.size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
    }
  });

  it("carries the card's localised title and credited reference photos, every one listed in the manifest", async () => {
    const metadata = metadataSchema.parse(
      JSON.parse(await readFile(path.join(pack, 'metadata.json'), 'utf8')),
    );
    expect(metadata.display).toEqual(CARD.display);
    const manifest = manifestSchema.parse(
      JSON.parse(await readFile(path.join(pack, 'manifest.json'), 'utf8')),
    );
    const listed = new Set(manifest.files.map((f) => f.path));
    for (const label of metadata.labels) {
      expect(label.references?.length, label.id).toBeGreaterThanOrEqual(1);
      for (const photo of label.references ?? []) {
        expect(photo).toMatchObject({ credit: CARD.references.credit, licence: 'MIT' });
        expect(listed.has(photo.path), photo.path).toBe(true);
      }
    }
  });

  it('fits calibration, unknown-detection and notSureBelow on the validation fish', async () => {
    const metadata = metadataSchema.parse(
      JSON.parse(await readFile(path.join(pack, 'metadata.json'), 'utf8')),
    );
    expect(metadata.calibration?.temperature).toBeGreaterThan(0);
    expect(metadata.unknown?.layer).toBe('unknown_embedding');
    expect(metadata.unknown?.centres.map((c) => c.length)).toEqual([16, 16, 16]);
    // The plain nearest-centre distance unless `--unknown-distance relative`.
    expect(metadata.unknown?.method).toBe('nearest-centre');
    expect(metadata.unknown?.background).toBeUndefined();
    expect(metadata.unknown?.threshold).toBeGreaterThan(0);
    expect(metadata.notSureBelow).toBeGreaterThanOrEqual(0.5);
    const sure = metadata.metrics.validation?.sure;
    expect(sure?.threshold).toBe(metadata.notSureBelow);
    // Coverage is a count of the 3 validation photos.
    expect(Number.isInteger(Math.round((sure?.coverage ?? NaN) * 3 * 1e6) / 1e6)).toBe(true);
    const model = await loadLayersModel(pack);
    expect(model.getLayer('unknown_embedding').outputShape).toEqual([null, 16]);
    model.dispose();
  });

  it('evaluates the pack: one result per image, scores in range, training fish mostly right', async () => {
    const { evaluation } = await evaluatePack(pack, FIXTURES);
    expect(evaluationSchema.parse(evaluation).n).toBe(12);
    expect(Object.keys(evaluation.perClass)).toEqual(['bream', 'burbot', 'perch']);
    expect(evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(12);
    expect(evaluation.top3).toBe(1);
    expect(evaluation.top1).toBeGreaterThanOrEqual(0.75);
  }, 180_000);

  it('eval --json prints one JSON object whose sure, ece and unknown come from decide()', async () => {
    const { code, stdout } = await cli('eval-cli.ts', [
      ...['--model', pack, '--data', FIXTURES, '--unknown', NON_FISH, '--json'],
    ]);
    expect(code).toBe(0);
    const result = evaluationSchema.parse(JSON.parse(stdout));
    expect(Object.keys(JSON.parse(stdout) as object).sort()).toEqual([
      ...['confusion', 'ece', 'eceIfCalibrated', 'n', 'perClass', 'sure', 'top1', 'top3'],
      'unknown',
    ]);
    // The same photos through the pack and shared/decision.ts, counted here.
    const metadata = metadataSchema.parse(
      JSON.parse(await readFile(path.join(pack, 'metadata.json'), 'utf8')),
    );
    const model = await loadLayersModel(pack);
    const files = (await listImageSet(FIXTURES)).images;
    const nonFish = await listImagesDeep(NON_FISH);
    const options = {
      preprocessing: metadata.preprocessing,
      size: metadata.input,
      featureLayer: metadata.unknown?.layer,
    };
    const known = await predictOutputs(
      model,
      files.map((i) => i.file),
      options,
    );
    const other = await predictOutputs(model, nonFish, options);
    model.dispose();
    const decisions = known.map((o, i) => ({ ...decide(o, metadata), label: files[i]!.label }));
    const sure = decisions.filter((d) => d.verdict === 'sure');
    const right = sure.filter((d) => d.ranked[0]!.id === d.label);
    expect(result.sure).toEqual({
      threshold: metadata.notSureBelow,
      coverage: sure.length / files.length,
      accuracy: sure.length ? right.length / sure.length : 0,
    });
    expect(result.unknown).toEqual({
      n: 24,
      answeredSure: other.filter((o) => decide(o, metadata).verdict === 'sure').length / 24,
    });
    const shown = decisions.map((d) => d.ranked[0]!.probability);
    expect(result.ece).toBeCloseTo(
      expectedCalibrationError(
        shown,
        decisions.map((d) => d.ranked[0]!.id === d.label),
      ),
      12,
    );
    expect(result.eceIfCalibrated).toBeCloseTo(eceIfCalibrated(shown), 12);
  }, 300_000);

  it('refuses label ids the pack does not have, in one line without a stack trace', async () => {
    const data = path.join(work, 'other-labels');
    await cp(path.join(FIXTURES, 'bream'), path.join(data, 'pike'), { recursive: true });
    const { code, stderr } = await cli('eval-cli.ts', ['--model', pack, '--data', data, '--json']);
    expect(code).not.toBe(0);
    expect(stderr.trim()).toMatch(
      /^error: data folders pike are not label ids of pack "fixture-fish"/,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 180_000);

  it('names an unreadable image in one line and exits non-zero', async () => {
    const data = path.join(work, 'broken');
    await cp(FIXTURES, data, { recursive: true });
    await writeFile(path.join(data, 'perch', 'not-a-photo.png'), 'this is text, not a PNG');
    const { code, stderr } = await cli('train-cli.ts', [
      '--data',
      data,
      '--name',
      'x',
      '--out',
      path.join(work, 'x'),
      '--cache-dir',
      path.join(work, 'cache'),
      '--quiet',
    ]);
    expect(code).not.toBe(0);
    expect(stderr.trim()).toMatch(/^error: .*not-a-photo\.png: not an image we can read/);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 180_000);

  it('rejects an empty class folder and a single class with clear messages', async () => {
    const empty = path.join(work, 'empty-class');
    await cp(FIXTURES, empty, { recursive: true });
    await mkdir(path.join(empty, 'pike'));
    const settings = (data: string) =>
      trainSettings(['--data', data, '--name', 'x', '--out', path.join(work, 'x'), '--quiet']);
    await expect(trainPack(settings(empty), () => {})).rejects.toThrow(
      'class folder "pike" has no images',
    );
    const single = path.join(work, 'single');
    await cp(path.join(FIXTURES, 'perch'), path.join(single, 'perch'), { recursive: true });
    await expect(trainPack(settings(single), () => {})).rejects.toThrow(
      /only 1 class .* at least 2/,
    );
  });

  it('rejects unknown options and missing required ones', () => {
    expect(() => trainSettings(['--data', 'x'])).toThrow(/--name is required/);
    expect(() =>
      trainSettings(['--data', 'x', '--name', 'a', '--out', 'o', '--quantize', 'int4']),
    ).toThrow(/float16 or float32/);
    expect(() => trainSettings(['--frobnicate'])).toThrow(/unknown option --frobnicate/);
    for (const blocks of ['4', '-1', '1.5'])
      expect(() =>
        trainSettings(['--data', 'x', '--name', 'a', '--out', 'o', '--fine-tune-blocks', blocks]),
      ).toThrow(/--fine-tune-blocks must be a whole number from 0 .* to 3/);
    const base = ['--data', 'x', '--name', 'a', '--out', 'o'];
    expect(() => trainSettings([...base, '--head', 'knn'])).toThrow(/softmax or centres/);
    expect(() => trainSettings([...base, '--head-dims', '8'])).toThrow(/needs --head centres/);
    expect(() => trainSettings([...base, '--unknown-distance', 'cosine'])).toThrow(
      /--unknown-distance must be nearest or relative/,
    );
    expect(trainSettings(base).honest.distance).toBe('nearest');
    expect(() => trainSettings([...base, '--resize', 'fill'])).toThrow(
      /--resize must be stretch or center-crop/,
    );
    expect(parseResize('center-crop')).toBe('center-crop');
    expect(parseResize(undefined)).toBe('stretch');
    expect(() => trainSettings([...base, '--augment', 'murk'])).toThrow(
      /--augment must be one of light, water/,
    );
    expect(parseAugmentation('water')).toBe('water');
    expect(parseAugmentation(undefined)).toBe('light');
    expect(() =>
      trainSettings([...base, '--head', 'centres', '--whitened-dims', '16', '--head-dims', '32']),
    ).toThrow(/--head-dims must be a whole number from 1 to --whitened-dims/);
    expect(() => trainSettings([...base, '--head', 'centres', '--hidden', '32'])).toThrow(
      /no hidden layer/,
    );
    for (const input of ['300x160', '320', '64x64', '320x704', 'wide'])
      expect(() => trainSettings([...base, '--input', input])).toThrow(
        /--input must be WIDTHxHEIGHT, each a multiple of 32 from 96 to 640/,
      );
    for (const members of ['0', '11', '1.5'])
      expect(() => trainSettings([...base, '--members', members])).toThrow(
        /--members must be a whole number from 1 to 10/,
      );
    expect(() => trainSettings([...base, '--head', 'centres', '--members', '3'])).toThrow(
      /leave out --members/,
    );
    expect(trainSettings([...base, '--members', '5']).head.members).toBe(5);
    for (const folds of ['1', '21', '2.5'])
      expect(() => trainSettings([...base, '--folds', folds])).toThrow(
        /--folds must be a whole number from 2 to 20/,
      );
    expect(() => trainSettings([...base, '--folds', '5', '--split-out', 's'])).toThrow(
      /leave out --split-out/,
    );
    expect(() => trainSettings([...base, '--folds', '5', '--val-fraction', '0.2'])).toThrow(
      /leave out --val-fraction/,
    );
    expect(trainSettings(base).size).toEqual({ width: 224, height: 224 });
    expect(trainSettings([...base, '--input', '320x160']).size).toEqual({
      width: 320,
      height: 160,
    });
  });

  it('--input trains a pack at that size: its model, its metadata and eval agree', async () => {
    const out = path.join(work, 'wide');
    const settings = trainSettings([
      ...['--data', FIXTURES, '--name', 'fixture-fish', '--out', out, '--input', '160x96'],
      ...['--views', '1', '--whitened-dims', '8', '--epochs', '5', '--quiet'],
      ...['--cache-dir', path.join(work, 'cache')],
    ]);
    await trainPack(settings, () => {});
    const metadata = metadataSchema.parse(
      JSON.parse(await readFile(path.join(out, 'metadata.json'), 'utf8')),
    );
    expect(metadata.input).toEqual({ width: 160, height: 96, channels: 3 });
    expect(metadata.architecture).toMatch(/^MobileNetV2 1\.0 160x96 /);
    const model = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')) as {
      modelTopology: { config: { layers: { config: { batch_input_shape?: unknown } }[] } };
    };
    expect(model.modelTopology.config.layers[0]!.config.batch_input_shape).toEqual([
      null,
      96,
      160,
      3,
    ]);
    // eval preprocesses at the pack's size: a mismatch would fail the forward pass.
    const { evaluation } = await evaluatePack(out, FIXTURES);
    expect(evaluationSchema.parse(evaluation).n).toBe(12);
    expect(evaluation.top3).toBeGreaterThan(0);
  }, 300_000);

  it('--folds fits the answers on every fish out of fold, as cross-validate measures them, and trains the weights on all fish', async () => {
    const out = path.join(work, 'folds');
    const cache = ['--cache-dir', path.join(work, 'cache')];
    // No dropout, so the folds' heads are the same in both programs; precision 0.5 and keep 0.7 so
    // that some photos are answered "sure" on this little data, and the relative score decides
    // which are held back as unknown.
    const recipe = ['--views', '2', '--lr', '0.01', '--dropout', '0', '--l2', '0.001'];
    const settings = trainSettings([
      ...['--data', FIXTURES, '--name', 'fixture-fish', '--out', out, '--folds', '3'],
      ...recipe,
      ...['--whitened-dims', '16', '--sure-precision', '0.5', '--unknown-keep', '0.7'],
      ...['--unknown-distance', 'relative'],
      ...cache,
      '--quiet',
    ]);
    expect(settings.refit).toBe(true);
    await trainPack(settings, () => {});
    const metadata = metadataSchema.parse(
      JSON.parse(await readFile(path.join(out, 'metadata.json'), 'utf8')),
    );
    const validation = metadata.metrics.validation!;
    // Every photo, each scored by a fold's model that never saw its fish.
    expect(validation.n).toBe(12);
    expect(metadata.training).toMatchObject({
      images: { train: 12 },
      folds: { k: 3 },
      refit: { images: 12, fish: 12 },
    });
    expect((metadata.training?.folds as { bestEpochs: unknown[] }).bestEpochs).toHaveLength(3);
    expect(metadata.unknown?.centres.map((c) => c.length)).toEqual([16, 16, 16]);
    expect(metadata.unknown).toMatchObject({ method: 'relative-nearest-centre' });
    expect(metadata.unknown?.background).toHaveLength(16);
    expect(validation.sure?.threshold).toBe(metadata.notSureBelow);

    const { code, stdout } = await cli('cross-validate.ts', [
      ...['--data', FIXTURES, '--unknown', NON_FISH, '--head-on-pca', '--folds', '3'],
      ...recipe,
      ...['--dims', '16', '--precision', '0.5', '--keep', '0.7', '--unknown-distance', 'relative'],
      ...cache,
    ]);
    expect(code).toBe(0);
    const cv = JSON.parse(stdout) as {
      settings: { unknownDistance: string };
      top1: number;
      top3: number;
      withDetector: { coverage: number; accuracyWhenSure: number; ecePooled: number };
    };
    expect(cv.settings.unknownDistance).toBe('relative');
    expect(validation.top1).toBe(cv.top1);
    expect(validation.top3).toBe(cv.top3);
    expect(validation.sure?.coverage).toBeCloseTo(cv.withDetector.coverage, 12);
    expect(validation.sure?.accuracy).toBeCloseTo(cv.withDetector.accuracyWhenSure, 12);
    expect(validation.ece).toBeCloseTo(cv.withDetector.ecePooled, 12);
    // Not an empty comparison: some photos are answered "sure" out of fold.
    expect(validation.sure?.coverage).toBeGreaterThan(0);
  }, 300_000);

  it('--fill-dark-borders puts the fill in the preprocessing the pack records (so the app runs it too)', () => {
    const base = ['--data', 'x', '--name', 'a', '--out', 'o'];
    expect(trainSettings(base).preprocessing.fillDarkBorders).toBeUndefined();
    expect(trainSettings([...base, '--fill-dark-borders']).preprocessing).toEqual({
      ...MOBILENET_V2_PREPROCESSING,
      resize: 'stretch',
      fillDarkBorders: true,
    });
  });

  it('--sure-precision-z sets the margin on the precision target, from 0 to 3', () => {
    const base = ['--data', 'x', '--name', 'a', '--out', 'o'];
    expect(trainSettings(base).honest.precisionZ).toBe(0);
    expect(trainSettings([...base, '--sure-precision-z', '0.5']).honest.precisionZ).toBe(0.5);
    expect(() => trainSettings([...base, '--sure-precision-z', '4'])).toThrow(
      '--sure-precision-z must be between 0 and 3',
    );
  });

  it('--stretch-contrast puts the contrast stretch in the preprocessing the pack records', () => {
    const base = ['--data', 'x', '--name', 'a', '--out', 'o'];
    expect(trainSettings(base).preprocessing.stretchContrast).toBeUndefined();
    expect(
      trainSettings([...base, '--fill-dark-borders', '--stretch-contrast']).preprocessing,
    ).toEqual({
      ...MOBILENET_V2_PREPROCESSING,
      resize: 'stretch',
      fillDarkBorders: true,
      stretchContrast: true,
    });
  });

  it('writes a nearest-centre head that reads the leading coordinates, the detector all of them', async () => {
    const out = path.join(work, 'centres');
    const settings = trainSettings([
      ...['--data', FIXTURES, '--name', 'fixture-fish', '--out', out, '--views', '1'],
      ...['--head', 'centres', '--whitened-dims', '8', '--head-dims', '4'],
      ...['--val-fraction', '0.25', '--cache-dir', path.join(work, 'cache'), '--quiet'],
    ]);
    await trainPack(settings, () => {});
    const metadata = metadataSchema.parse(
      JSON.parse(await readFile(path.join(out, 'metadata.json'), 'utf8')),
    );
    expect(metadata.architecture).toMatch(/nearest-centre head on the leading 4 coordinates/);
    expect(metadata.training?.head).toMatchObject({ kind: 'centres', centresDims: 4 });
    expect(metadata.calibration?.temperature).toBeGreaterThan(0);
    // The written head reads the 4 leading of the 8 coordinates the unknown detector reads.
    const model = await loadLayersModel(out);
    const kernel = model.getLayer('predictions').getWeights()[0]!.arraySync() as number[][];
    expect(kernel).toHaveLength(8);
    expect(
      kernel
        .slice(0, 4)
        .flat()
        .some((v) => v !== 0),
    ).toBe(true);
    expect(
      kernel
        .slice(4)
        .flat()
        .every((v) => v === 0),
    ).toBe(true);
    expect(metadata.unknown?.centres[0]).toHaveLength(8);
    model.dispose();
  });

  it('fine-tunes the last block and refits on all fish: the pack keeps the backbone before that block', async () => {
    const tuned = path.join(work, 'tuned');
    const split = path.join(work, 'tuned-split');
    const settings = trainSettings([
      ...['--data', FIXTURES, '--name', 'fixture-fish', '--out', tuned, '--views', '2'],
      ...['--epochs', '10', '--fine-tune-blocks', '1', '--fine-tune-epochs', '2', '--refit'],
      ...['--split-out', split],
      ...['--val-fraction', '0.25', '--cache-dir', path.join(work, 'cache'), '--quiet'],
    ]);
    await trainPack(settings, () => {});
    const metadata = metadataSchema.parse(
      JSON.parse(await readFile(path.join(tuned, 'metadata.json'), 'utf8')),
    );
    const splitMetadata = metadataSchema.parse(
      JSON.parse(await readFile(path.join(split, 'metadata.json'), 'utf8')),
    );
    type FineTune = { blocks: number; epochs: { run: number; best: number } };
    const fineTune = metadata.training?.fineTune as FineTune;
    const splitFineTune = splitMetadata.training?.fineTune as FineTune;
    expect(fineTune.blocks).toBe(1);
    // The split model tuned for its epochs; the refit as many as the split found best (0 = none).
    expect(splitFineTune.epochs.run).toBeGreaterThanOrEqual(1);
    expect(metadata.training?.refit).toMatchObject({
      epochs: { fineTune: splitFineTune.epochs.best },
    });
    expect(splitMetadata.metrics.validation).toEqual(metadata.metrics.validation);
    expect(metadata.architecture).toMatch(/blocks 16-16 and Conv_1 fine-tuned/);
    // --refit: the shipped weights saw every fish; the validation metrics are the split model's.
    expect(metadata.training?.refit).toMatchObject({ images: 12, fish: 12 });
    expect(metadata.metrics.validation?.n).toBe(3);
    // Layers before the tuned block are the backbone's, bit for bit; Conv_1 moved if an epoch was kept.
    const [model, backbone] = await Promise.all([
      loadLayersModel(tuned),
      loadLayersModel(BACKBONE_DIR),
    ]);
    const kernel = (m: typeof model, layer: string) =>
      m.getLayer(layer).getWeights()[0]!.dataSync();
    const differences = (layer: string) => {
      const [a, b] = [kernel(model, layer), kernel(backbone, layer)];
      let n = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
      return n;
    };
    expect(differences('block_15_project')).toBe(0);
    expect(differences('Conv_1') > 0).toBe(fineTune.epochs.best > 0);
    model.dispose();
    backbone.dispose();
    const { evaluation } = await evaluatePack(tuned, FIXTURES);
    expect(evaluation.n).toBe(12);
    expect(evaluation.top3).toBe(1);
  }, 300_000);
});
