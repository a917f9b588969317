/**
 * Evaluates a model pack on a folder-per-class image set whose folder names are the pack's label ids:
 *   npm run eval -- --model <pack dir> --data <dir> [--json] [--tta]
 * Prints one JSON object {"n","top1","top3","perClass","confusion"} with --json, else a table.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { METADATA_FILE, metadataSchema, type Evaluation, type PackMetadata } from '../shared/pack';
import { initBackend } from './backend';
import { UsageError, isMain, parseArgs, runCli } from './cli';
import { listImageSet } from './dataset';
import { evaluatePredictions, formatEvaluation } from './metrics';
import { loadLayersModel } from './model-files';
import { predictFiles } from './predict';
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
  options: { mirrorTta?: boolean; progress?: boolean } = {},
): Promise<{ evaluation: Evaluation; labels: string[] }> {
  await initBackend();
  const metadata = await readPackMetadata(packDir);
  const labels = metadata.labels.map((l) => l.id);
  const set = await listImageSet(dataDir, { minClasses: 1 });
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
  const bar = stageBar('evaluating', set.images.length, options.progress ?? false);
  const size = { width: metadata.input.width, height: metadata.input.height };
  const probabilities = await predictFiles(
    model,
    set.images.map((i) => i.file),
    {
      preprocessing: metadata.preprocessing,
      size,
      mirrorTta: options.mirrorTta,
      onImage: () => bar.tick(),
    },
  );
  bar.stop();
  model.dispose();
  const truth = Int32Array.from(set.images.map((i) => labels.indexOf(i.label)));
  return { evaluation: evaluatePredictions(probabilities, truth, labels), labels };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2), {
    model: 'string',
    data: 'string',
    json: 'boolean',
    tta: 'boolean',
    quiet: 'boolean',
  });
  if (a.model === undefined || a.data === undefined)
    throw new UsageError('usage: npm run eval -- --model <pack dir> --data <dir> [--json]');
  const started = Date.now();
  const { evaluation, labels } = await evaluatePack(String(a.model), String(a.data), {
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
