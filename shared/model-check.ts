/**
 * Can the app run this TF.js model.json, and what is it? One pure check shared by the publish
 * CLI and the registry (which refuse a model before any phone downloads it) and the classifier
 * worker (which says why a model cannot run). It reads only model.json: format, the one NHWC RGB
 * float input, the one output and its size against the label count, whether that output is
 * already probabilities or logits (read from the graph, not guessed from values), and every op
 * or layer class against what the app's TF.js runs (shared/model-ops.ts).
 */
import { describeGraphModel } from './model-check-graph';
import { describeLayersModel } from './model-check-layers';
import { SUPPORTED_ACTIVATIONS, SUPPORTED_GRAPH_OPS, SUPPORTED_LAYER_CLASSES } from './model-ops';

export type ModelFormat = 'layers-model' | 'graph-model';
/** `probabilities`: the model ends in softmax/sigmoid; `logits`: the app applies softmax. */
export type OutputKind = 'probabilities' | 'logits' | 'unknown';
export type ModelProblemKind = 'format' | 'input' | 'output' | 'labels' | 'ops';

export interface ModelProblem {
  kind: ModelProblemKind;
  /** Plain words for the person publishing or using the model. */
  message: string;
  /** The unsupported ops or layer classes, for `ops`. */
  names?: string[];
}

/** What the format-specific readers report about a model.json; checkModel adds the common checks. */
export interface ModelDescription {
  /** [batch, height, width, channels]; null where the model takes any size. Null when unknown. */
  inputShape: (number | null)[] | null;
  /** The input's element type as model.json names it (`float32`, `DT_FLOAT`). */
  inputDtype?: string;
  /** How many scores the model gives per photo; null when model.json does not say. */
  outputSize: number | null;
  output: OutputKind;
  /** Graph op names or Keras layer classes the model uses, sorted, each once. */
  ops: string[];
  /** Layers models: the activations its layers name, sorted, each once. */
  activations?: string[];
  /** Graph models: the node to feed and the tensor to read (from the signature when it has one). */
  inputName?: string;
  outputName?: string;
  problems: ModelProblem[];
}

export interface ModelCheck extends Omit<ModelDescription, 'inputDtype'> {
  format: ModelFormat | null;
}

const GRAPH_OPS = new Set<string>(SUPPORTED_GRAPH_OPS);
const LAYER_CLASSES = new Set<string>(SUPPORTED_LAYER_CLASSES);
const ACTIVATIONS = new Set<string>(SUPPORTED_ACTIVATIONS);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatOf(json: Record<string, unknown>): ModelFormat | null {
  const topology = json.modelTopology;
  if (!isObject(topology)) return null;
  if (json.format === 'graph-model' || Array.isArray(topology.node)) return 'graph-model';
  if (
    json.format === 'layers-model' ||
    typeof topology.class_name === 'string' ||
    isObject(topology.model_config)
  )
    return 'layers-model';
  return null;
}

function formatProblem(json: unknown): string {
  if (!isObject(json)) return 'model.json is not a JSON object.';
  if (typeof json.class_name === 'string')
    return 'model.json is a Keras model configuration, not a TF.js export: convert the model with tensorflowjs_converter first.';
  if (!isObject(json.modelTopology))
    return 'model.json has no modelTopology: it is not TF.js converter output (tensorflowjs_converter writes model.json with modelTopology and weightsManifest).';
  return `model.json is neither a TF.js layers model nor a graph model (format "${String(json.format)}").`;
}

function inputProblems(shape: (number | null)[] | null, dtype: string | undefined): ModelProblem[] {
  const problems: ModelProblem[] = [];
  if (dtype && dtype !== 'float32' && dtype !== 'DT_FLOAT') {
    problems.push({
      kind: 'input',
      message: `The model takes ${dtype.replace(/^DT_/, '').toLowerCase()} input; the app gives it a photo as floating-point RGB values.`,
    });
  }
  if (!shape) return problems;
  if (shape.length !== 4) {
    problems.push({
      kind: 'input',
      message: `The model takes input of shape [${shape.map((d) => d ?? '?').join(', ')}]; the app gives it one photo as [1, height, width, 3].`,
    });
  } else if (shape[3] !== null && shape[3] !== 3) {
    problems.push({
      kind: 'input',
      message: `The model takes ${shape[3]} colour channels per pixel; the app gives it RGB photos (3 channels, height × width × 3).`,
    });
  }
  return problems;
}

function labelProblem(outputSize: number | null, labelCount: number | undefined): ModelProblem[] {
  if (outputSize === null || labelCount === undefined || outputSize === labelCount) return [];
  const hint =
    outputSize === labelCount + 1
      ? ' (a model trained with an extra "background" class needs that class in the labels too)'
      : '';
  return [
    {
      kind: 'labels',
      message: `The model gives ${outputSize} scores per photo but there are ${labelCount} labels: each score needs exactly one label, in output order${hint}.`,
    },
  ];
}

function opsProblem(format: ModelFormat, ops: string[], activations: string[]): ModelProblem[] {
  const known = format === 'graph-model' ? GRAPH_OPS : LAYER_CLASSES;
  const unsupported = [
    ...ops.filter((op) => !known.has(op)),
    ...activations.filter((a) => !ACTIVATIONS.has(a)).map((a) => `activation ${a}`),
  ];
  if (unsupported.length === 0) return [];
  const what = format === 'graph-model' ? 'operations' : 'layers and activations';
  return [
    {
      kind: 'ops',
      message: `The model uses ${what} the app cannot run: ${unsupported.join(', ')}.`,
      names: unsupported,
    },
  ];
}

/**
 * Checks a parsed model.json. `labelCount` (when known) must equal the model's output size.
 * Never throws: everything wrong is in `problems`, in plain words.
 */
export function checkModel(modelJson: unknown, options: { labelCount?: number } = {}): ModelCheck {
  const json = isObject(modelJson) ? modelJson : {};
  const format = formatOf(json);
  if (!format) {
    return {
      format: null,
      inputShape: null,
      outputSize: null,
      output: 'unknown',
      ops: [],
      problems: [{ kind: 'format', message: formatProblem(modelJson) }],
    };
  }
  const found =
    format === 'graph-model' ? describeGraphModel(json) : describeLayersModel(json.modelTopology);
  const problems = [...found.problems];
  if (!Array.isArray(json.weightsManifest)) {
    problems.push({
      kind: 'format',
      message: 'model.json lists no weight files (weightsManifest is missing).',
    });
  }
  problems.push(
    ...inputProblems(found.inputShape, found.inputDtype),
    ...labelProblem(found.outputSize, options.labelCount),
    ...opsProblem(format, found.ops, found.activations ?? []),
  );
  const { inputDtype: _dtype, ...rest } = found;
  return { format, ...rest, problems };
}
