/**
 * The pack description (metadata.json) of a bare TF.js export: model.json + weight shards and
 * labels from wherever the exporter put them. Labels come from, first found: a labels file
 * given at publish time, a Teachable Machine metadata.json (`labels`, `imageSize`), a labels.txt
 * beside model.json, the converter's `userDefinedMetadata` (`tensorflowjs_converter --metadata`),
 * or MLflow tags (`fishlens.labels`). Preprocessing: a preset named at publish time, else what
 * the export implies (Teachable Machine: `mobilenet`), else `mobilenet` with a note saying so.
 * Pure: the callers read the files (publish CLI from a folder, MLflow from artifacts).
 */
import { checkModel, type ModelCheck } from '../../shared/model-check.js';
import {
  labelSchema,
  NAME_PATTERN,
  PACK_FORMAT,
  PREPROCESSING_PRESETS,
  type Label,
  type PackMetadata,
} from '../../shared/pack.js';
import { PackError } from './pack.js';

/** MLflow tag (version, else run) naming the labels: a JSON list, or one label per line. */
export const LABELS_TAG = 'fishlens.labels';
/** MLflow tag naming the preprocessing preset (`mobilenet`, `unit`, `imagenet`, `raw`). */
export const PREPROCESS_TAG = 'fishlens.preprocess';

export type PresetName = keyof typeof PREPROCESSING_PRESETS;
export const PRESET_NAMES = Object.keys(PREPROCESSING_PRESETS) as PresetName[];

/** Everything a bare export may say about itself; the caller fills in what it found. */
export interface BareExport {
  modelJson: unknown;
  /** A labels file named at publish time (`--labels`): wins over everything in the export. */
  labelsFile?: { name: string; text: string };
  /** metadata.json beside model.json that is not a Fishlens one (Teachable Machine's). */
  metadataJson?: unknown;
  /** labels.txt beside model.json. */
  labelsTxt?: string;
  /** MLflow tags, the version's over the run's. */
  tags?: Record<string, string>;
  /** A preset named at publish time (`--preprocess`). */
  preset?: string;
  name: string;
  description?: string;
  createdAt: string;
}

export interface BareExportMetadata {
  metadata: PackMetadata;
  check: ModelCheck;
  /** What was assumed, for the person publishing ("no preprocessing given: mobilenet"). */
  notes: string[];
}

/** One label per line: `name`, or `Latin name<TAB>English<TAB>Russian`. JSON lists work too. */
export function parseLabels(text: string, source: string): Label[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(trimmed);
    } catch (error) {
      throw new PackError(`${source} is not valid JSON: ${(error as Error).message}`);
    }
    return labelsFromList(list, source);
  }
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  const empty = lines.findIndex((line) => line.trim() === '');
  if (empty >= 0)
    throw new PackError(
      `${source}: line ${empty + 1} is empty; give one label per line, in the model's output order`,
    );
  return withIds(
    lines.map((line) => {
      const [latin = '', en, ru] = line.split('\t').map((part) => part.trim());
      return { latin, names: { ...(en ? { en } : {}), ...(ru ? { ru } : {}) } };
    }),
  );
}

/** A list of label names, or of `{id?, latin, names?}` objects (Fishlens's own label form). */
function labelsFromList(list: unknown, source: string): Label[] {
  if (!Array.isArray(list)) throw new PackError(`${source}: expected a list of labels`);
  const labels = list.map((item, i) => {
    if (typeof item === 'string') return { latin: item, names: {} };
    const parsed = labelSchema.partial({ id: true, names: true }).safeParse(item);
    if (!parsed.success)
      throw new PackError(`${source}: label ${i + 1} is neither a name nor {latin, names}`);
    return { ...parsed.data, names: parsed.data.names ?? {} };
  });
  return withIds(labels);
}

/** Gives every label a stable id from its name (`Salmo trutta` → `salmo-trutta`), unique. */
function withIds(labels: { id?: string; latin: string; names: Label['names'] }[]): Label[] {
  const used = new Set<string>();
  return labels.map((label, i) => {
    if (!label.latin) throw new PackError(`label ${i + 1} has no name`);
    let base =
      label.id ??
      label.latin
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 56);
    if (!NAME_PATTERN.test(base)) base = `label-${i + 1}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return { id, latin: label.latin.slice(0, 200), names: label.names };
  });
}

/** `{labels, imageSize}` of a Teachable Machine export (or anything shaped like it). */
function teachableMachine(json: unknown): { labels?: unknown; imageSize?: unknown } {
  return typeof json === 'object' && json !== null ? json : {};
}

/** Labels in the converter's userDefinedMetadata: a list, or an object holding one. */
function userDefinedLabels(modelJson: unknown): unknown[] | undefined {
  const meta = (modelJson as { userDefinedMetadata?: Record<string, unknown> }).userDefinedMetadata;
  for (const value of Object.values(meta ?? {})) {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
    if (typeof value === 'object' && value !== null) {
      const inner = value as Record<string, unknown>;
      const list: unknown = inner.labels ?? inner.classes ?? inner.class_names;
      if (Array.isArray(list)) return list as unknown[];
    }
  }
  return undefined;
}

function pickLabels(source: BareExport): { labels: Label[]; from: string } | null {
  if (source.labelsFile)
    return {
      labels: parseLabels(source.labelsFile.text, source.labelsFile.name),
      from: source.labelsFile.name,
    };
  const tm = teachableMachine(source.metadataJson).labels;
  if (Array.isArray(tm))
    return {
      labels: labelsFromList(tm, 'metadata.json'),
      from: 'metadata.json (Teachable Machine)',
    };
  if (source.labelsTxt !== undefined)
    return { labels: parseLabels(source.labelsTxt, 'labels.txt'), from: 'labels.txt' };
  const udm = userDefinedLabels(source.modelJson);
  if (udm)
    return {
      labels: labelsFromList(udm, 'userDefinedMetadata'),
      from: "model.json's userDefinedMetadata",
    };
  const tag = source.tags?.[LABELS_TAG];
  if (tag !== undefined)
    return {
      labels: parseLabels(tag, `the MLflow tag ${LABELS_TAG}`),
      from: `the MLflow tag ${LABELS_TAG}`,
    };
  return null;
}

/**
 * The metadata.json Fishlens serves for a bare export, checked: PackError says what is missing
 * (labels) or why the model cannot run (the model check's problems), in words for the publisher.
 */
export function bareExportMetadata(source: BareExport): BareExportMetadata {
  const notes: string[] = [];
  const picked = pickLabels(source);
  if (!picked)
    throw new PackError(
      `no labels: put a labels.txt (one label per line, in output order) beside model.json, pass --labels <file>, or set the MLflow tag ${LABELS_TAG}`,
    );
  const check = checkModel(source.modelJson, { labelCount: picked.labels.length });
  if (check.problems.length > 0)
    throw new PackError(
      `this model cannot run in Fishlens: ${check.problems.map((p) => p.message).join(' ')}`,
    );
  notes.push(`${picked.labels.length} labels from ${picked.from}.`);

  const presetName = source.preset ?? source.tags?.[PREPROCESS_TAG];
  if (presetName !== undefined && !(PRESET_NAMES as string[]).includes(presetName))
    throw new PackError(
      `unknown preprocessing "${presetName}": use one of ${PRESET_NAMES.join(', ')}`,
    );
  const tm = teachableMachine(source.metadataJson);
  let preset = presetName as PresetName | undefined;
  if (!preset && Array.isArray(tm.labels)) preset = 'mobilenet'; // Teachable Machine scales to [-1, 1]
  if (!preset) {
    preset = 'mobilenet';
    notes.push(
      `No preprocessing named: assuming mobilenet ([-1, 1]); publish with --preprocess ${PRESET_NAMES.filter((p) => p !== 'mobilenet').join('|')} if the model was trained otherwise.`,
    );
  }
  const [, height, width] = check.inputShape ?? [];
  const imageSize = typeof tm.imageSize === 'number' ? tm.imageSize : undefined;
  const side = imageSize ?? 224;
  if (!height || !width)
    notes.push(`The model takes any input size: photos are scaled to ${side}×${side}.`);
  const quantized = (
    source.modelJson as {
      weightsManifest?: { weights?: { quantization?: { dtype?: string } }[] }[];
    }
  ).weightsManifest
    ?.flatMap((g) => g.weights ?? [])
    .map((w) => w.quantization?.dtype)
    .find(Boolean);
  const json = source.modelJson as { convertedBy?: unknown; generatedBy?: unknown };
  const metadata: PackMetadata = {
    format: PACK_FORMAT,
    name: source.name,
    description: source.description ?? '',
    createdAt: source.createdAt,
    tool: {
      name: typeof json.convertedBy === 'string' ? json.convertedBy : 'tensorflowjs_converter',
      version: typeof json.generatedBy === 'string' ? json.generatedBy : 'unknown',
    },
    architecture: 'unknown (bare TF.js export)',
    modelFormat: check.format === 'graph-model' ? 'tfjs-graph' : 'tfjs-layers',
    input: { width: width ?? side, height: height ?? side, channels: 3 },
    preprocessing: PREPROCESSING_PRESETS[preset],
    labels: picked.labels,
    notSureBelow: 0.5,
    quantization: quantized === 'uint8' || quantized === 'float16' ? quantized : 'float32',
    metrics: {},
  };
  return { metadata, check, notes };
}
