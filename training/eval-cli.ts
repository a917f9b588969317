/**
 * Evaluates a model pack on a folder-per-class image set whose folder names are the pack's label ids:
 *   npm run eval -- --model <pack dir> --data <dir> [--unknown <dir>] [--json] [--tta]
 * `--unknown` is a folder of photos (any depth) of none of the pack's species: other fish, no fish.
 * Prints one JSON object {"n","top1","top3","perClass","confusion","sure","ece","unknown"} with
 * --json, else a table. "sure", "ece" and "unknown" come from the app's own decision code
 * (shared/decision.ts), with the pack's calibration, notSureBelow and unknown detection.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { METADATA_FILE, metadataSchema, type Evaluation, type PackMetadata } from '../shared/pack';
import { initBackend } from './backend';
import { UsageError, isMain, parseArgs, runCli } from './cli';
import { measureDecisions } from './calibration';
import { listImageSet, listImagesDeep } from './dataset';
import { evaluatePredictions, formatEvaluation } from './metrics';
import { loadLayersModel } from './model-files';
import { predictOutputs } from './predict';
import { stageBar } from './progress';

/** Reads and validates a pack's metadata.json. */
export async function readPackMetadata(dir: string): Promise<PackMetadata> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path.join(dir, METADATA_FILE), 'utf8'));
  } catch {
    throw new UsageError(`${dir} is not a model pack (no readable ${METADATA_FILE})`);
  }
  const parsed = metadataSchema.safeParse(raw);
  if (!parsed.success)
    throw new UsageError(
      `${dir}/${METADATA_FILE} is invalid: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  return parsed.data;
}

/** Evaluates a pack on a labelled folder; every class folder must be one of the pack's label ids. */
export async function evaluatePack(
  packDir: string,
  dataDir: string,
  options: {
    unknownDir?: string;
    mirrorTta?: boolean;
    progress?: boolean;
  } = {},
): Promise<{ evaluation: Evaluation; labels: string[] }> {
  await initBackend();
  const metadata = await readPackMetadata(packDir);
  const labels = metadata.labels.map((l) => l.id);
  const set = await listImageSet(dataDir, { minClasses: 1 });
  const unknownFiles = options.unknownDir ? await listImagesDeep(options.unknownDir) : [];
  const unknown = set.labels.filter((l) => !labels.includes(l));
  if (unknown.length > 0) {
    throw new UsageError(
      `data folders ${unknown.join(', ')} are not label ids of pack "${metadata.name}" (its labels: ${labels.join(', ')})`,
    );
  }
  let model;
  try {
    model = await loadLayersModel(packDir);
  } catch (error) {
    throw new UsageError(
      `cannot load the model of ${packDir}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const files = [...set.images.map((i) => i.file), ...unknownFiles];
  const bar = stageBar('evaluating', files.length, options.progress ?? false);
  const outputs = await predictOutputs(model, files, {
    preprocessing: metadata.preprocessing,
    size: { width: metadata.input.width, height: metadata.input.height },
    mirrorTta: options.mirrorTta,
    featureLayer: metadata.unknown?.layer,
    onImage: () => bar.tick(),
  });
  bar.stop();
  model.dispose();
  const known = outputs.slice(0, set.images.length);
  const truth = Int32Array.from(set.images.map((i) => labels.indexOf(i.label)));
  const probabilities = new Float32Array(known.length * labels.length);
  known.forEach((o, i) => probabilities.set(o.probabilities, i * labels.length));
  const decisions = measureDecisions(
    {
      known: known.map((output, i) => ({ output, truth: truth[i]! })),
      unknown: outputs.slice(set.images.length),
    },
    metadata,
  );
  return {
    evaluation: {
      ...evaluatePredictions(probabilities, truth, labels),
      sure: decisions.sure,
      ece: decisions.ece,
      eceIfCalibrated: decisions.eceIfCalibrated,
      ...(options.unknownDir ? { unknown: decisions.unknown } : {}),
    },
    labels,
  };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2), {
    model: 'string',
    data: 'string',
    json: 'boolean',
    tta: 'boolean',
    unknown: 'string',
    quiet: 'boolean',
  });
  if (a.model === undefined || a.data === undefined)
    throw new UsageError(
      'usage: npm run eval -- --model <pack dir> --data <dir> [--unknown <dir>] [--json]',
    );
  const started = Date.now();
  const { evaluation, labels } = await evaluatePack(String(a.model), String(a.data), {
    unknownDir: a.unknown === undefined ? undefined : String(a.unknown),
    mirrorTta: a.tta === true,
    progress: a.quiet !== true && process.stderr.isTTY === true,
  });
  if (a.json === true) process.stdout.write(`${JSON.stringify(evaluation)}\n`);
  else
    console.log(
      `${formatEvaluation(evaluation, labels)}\n\nevaluated in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
}

if (isMain(import.meta.url)) runCli(main);
