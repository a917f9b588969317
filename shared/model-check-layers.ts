/**
 * Reads a TF.js layers model.json (tensorflowjs_converter output for a Keras 2 `.h5`, or a model
 * TF.js saved): functional and Sequential topologies, nested models (Teachable Machine exports a
 * Sequential of two Sequentials), and the old `{keras_version, backend, model_config}` wrapping of
 * Keras 2.0–2.2 exports. Finds the input shape, the output size and the last activation.
 */
import type { ModelDescription, ModelProblem, OutputKind } from './model-check';

interface Layer {
  class_name: string;
  name?: string;
  config?: Record<string, unknown> | Layer[];
  inbound_nodes?: unknown[];
}

const NESTED = new Set(['Sequential', 'Model', 'Functional']);
/** Layers that keep one score per class from their input (the walk back from the output passes them). */
const PASS_THROUGH = new Set([
  'Activation',
  'Softmax',
  'Dropout',
  'AlphaDropout',
  'GaussianDropout',
  'GaussianNoise',
  'SpatialDropout1D',
  'Reshape',
  'Flatten',
]);

function config(layer: Layer): Record<string, unknown> {
  return layer.config && !Array.isArray(layer.config) ? layer.config : {};
}

function layersOf(model: Layer): Layer[] {
  const c = model.config;
  if (Array.isArray(c)) return c; // Keras 2.0/2.1 Sequential: the config is the layer list
  return Array.isArray(c?.layers) ? (c.layers as Layer[]) : [];
}

const isSequential = (model: Layer) => model.class_name === 'Sequential';

function collectClasses(model: Layer, into: Set<string>, activations: Set<string>): void {
  for (const layer of layersOf(model)) {
    into.add(layer.class_name);
    const activation = config(layer).activation;
    if (typeof activation === 'string') activations.add(activation);
    if (NESTED.has(layer.class_name)) collectClasses(layer, into, activations);
  }
}

/** Keras 3 writes inbound nodes as `{args, kwargs}` objects, which TF.js cannot read. */
function isKeras3(model: Layer): boolean {
  return layersOf(model).some(
    (layer) =>
      (Array.isArray(layer.inbound_nodes) &&
        layer.inbound_nodes.some(
          (n) => typeof n === 'object' && n !== null && !Array.isArray(n),
        )) ||
      (NESTED.has(layer.class_name) && isKeras3(layer)),
  );
}

function declaredShape(layer: Layer): (number | null)[] | null {
  const c = config(layer);
  const shape = c.batch_input_shape ?? c.batch_shape;
  if (Array.isArray(shape)) return shape.map((d) => (typeof d === 'number' ? d : null));
  if (Array.isArray(c.input_shape))
    return [null, ...c.input_shape.map((d) => (typeof d === 'number' ? d : null))];
  return null;
}

/** Names in `input_layers` / `output_layers`: `[["name", 0, 0], …]`. */
function endpointNames(model: Layer, key: 'input_layers' | 'output_layers'): string[] {
  const list = config(model)[key];
  return Array.isArray(list) ? list.map((entry) => String((entry as unknown[])[0])) : [];
}

function inputShape(model: Layer, problems: ModelProblem[]): (number | null)[] | null {
  const layers = layersOf(model);
  if (isSequential(model)) {
    const first = layers[0];
    if (!first) return null;
    return NESTED.has(first.class_name) ? inputShape(first, problems) : declaredShape(first);
  }
  const inputs = endpointNames(model, 'input_layers');
  if (inputs.length !== 1) {
    problems.push({
      kind: 'input',
      message: `The model takes ${inputs.length} inputs; the app gives it exactly one: the photo.`,
    });
  }
  const layer = layers.find((l) => (l.name ?? config(l).name) === inputs[0]);
  return layer ? declaredShape(layer) : null;
}

function activationKind(name: unknown): OutputKind {
  if (name === 'softmax' || name === 'sigmoid') return 'probabilities';
  if (name === undefined || name === null || name === 'linear') return 'logits';
  return 'unknown';
}

interface Terminal {
  size: number | null;
  kind: OutputKind | undefined;
}

/** Walks back from the output layer until it knows the score count and the last activation. */
function terminal(model: Layer, problems: ModelProblem[]): Terminal {
  const layers = layersOf(model);
  const byName = new Map(layers.map((l) => [l.name ?? String(config(l).name), l]));
  const result: Terminal = { size: null, kind: undefined };
  let layer: Layer | undefined;
  let previous: (current: Layer) => Layer | undefined;
  if (isSequential(model)) {
    let index = layers.length - 1;
    layer = layers[index];
    previous = () => layers[--index];
  } else {
    const outputs = endpointNames(model, 'output_layers');
    if (outputs.length !== 1) {
      problems.push({
        kind: 'output',
        message: `The model gives ${outputs.length} outputs; the app reads exactly one: a score per label.`,
      });
    }
    layer = byName.get(outputs[0] ?? '');
    previous = (current) => {
      const node = current.inbound_nodes?.[0];
      const edge = Array.isArray(node) ? (node[0] as unknown[] | undefined) : undefined;
      return edge ? byName.get(String(edge[0])) : undefined;
    };
  }
  for (let hops = 0; layer && hops < 1000; hops++) {
    const c = config(layer);
    if (NESTED.has(layer.class_name)) {
      const inner = terminal(layer, problems);
      result.kind ??= inner.kind;
      result.size ??= inner.size;
    } else if (layer.class_name === 'Activation') {
      result.kind ??= activationKind(c.activation);
    } else if (layer.class_name === 'Softmax') {
      result.kind ??= 'probabilities';
    } else if (layer.class_name === 'Reshape' && Array.isArray(c.target_shape)) {
      const dims = c.target_shape as unknown[];
      if (dims.every((d) => typeof d === 'number' && d > 0))
        result.size ??= (dims as number[]).reduce((a, b) => a * b, 1);
    } else if (layer.class_name === 'Dense' || layer.class_name === 'Conv2D') {
      result.kind ??= activationKind(c.activation);
      result.size ??= Number(layer.class_name === 'Dense' ? c.units : c.filters) || null;
    }
    if (result.size !== null && result.kind !== undefined) break;
    if (!PASS_THROUGH.has(layer.class_name) && !NESTED.has(layer.class_name)) break;
    layer = previous(layer);
  }
  return result;
}

/** The layers topology's classes and activations, input shape, output size and last activation. */
export function describeLayersModel(topology: unknown): ModelDescription {
  const wrapped = topology as { model_config?: Layer } & Layer;
  // Keras 2.0–2.2 exports wrap the model: {keras_version, backend, model_config: {class_name, config}}.
  const model = wrapped.model_config ?? wrapped;
  const problems: ModelProblem[] = [];
  if (isKeras3(model)) {
    problems.push({
      kind: 'format',
      message:
        'This is a Keras 3 layers model, which TF.js cannot read: export a SavedModel and convert it as a graph model (tensorflowjs_converter --input_format=tf_saved_model).',
    });
  }
  const classes = new Set<string>([model.class_name]);
  const activations = new Set<string>();
  collectClasses(model, classes, activations);
  const shape = inputShape(model, problems);
  const end = terminal(model, problems);
  const dtype = layersOf(model).find((l) => l.class_name === 'InputLayer');
  return {
    inputShape: shape,
    ...(dtype && typeof config(dtype).dtype === 'string'
      ? { inputDtype: config(dtype).dtype as string }
      : {}),
    outputSize: end.size,
    output: end.kind ?? 'unknown',
    ops: [...classes].sort(),
    activations: [...activations].sort(),
    problems,
  };
}
