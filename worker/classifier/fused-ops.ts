/**
 * The fused executor's pieces: its op list, what it reads of a Keras layers topology (model.json),
 * and one forward pass over the ops. fused-graph.ts turns a topology into ops.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Thrown when the topology has a layer this executor does not know; use the layers model then. */
export class UnsupportedTopologyError extends Error {}

export type Activation = 'linear' | 'relu' | 'relu6';
export type Padding = 'same' | 'valid';

export interface LayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown[];
}

export type Op =
  | { kind: 'input'; out: string }
  | {
      kind: 'conv' | 'depthwise';
      out: string;
      input: string;
      filter: tf.Tensor4D;
      bias?: tf.Tensor1D;
      strides: [number, number];
      pad: Padding;
      dilations: [number, number];
      activation: Activation;
    }
  | { kind: 'affine'; out: string; input: string; scale: tf.Tensor1D; shift: tf.Tensor1D }
  | { kind: 'activation'; out: string; input: string; activation: Activation | 'softmax' }
  | { kind: 'add'; out: string; inputs: string[] }
  | { kind: 'gap'; out: string; input: string }
  | { kind: 'pad'; out: string; input: string; padding: [[number, number], [number, number]] }
  | {
      kind: 'avgpool';
      out: string;
      input: string;
      pool: [number, number];
      strides: [number, number];
      pad: Padding;
    }
  | { kind: 'flatten'; out: string; input: string }
  | { kind: 'identity'; out: string; input: string }
  | {
      kind: 'dense';
      out: string;
      input: string;
      kernel: tf.Tensor2D;
      bias?: tf.Tensor1D;
      activation: Activation | 'softmax';
    };

export function layersOf(modelJson: unknown): { layers: LayerJson[]; output: string } {
  const topology = (modelJson as { modelTopology?: Record<string, unknown> }).modelTopology;
  const config = ((topology?.model_config as Record<string, unknown> | undefined) ?? topology) as
    | { class_name?: string; config?: { layers?: LayerJson[]; output_layers?: unknown[][] } }
    | undefined;
  const layers = config?.config?.layers;
  const outputs = config?.config?.output_layers;
  if (!Array.isArray(layers) || !Array.isArray(outputs) || outputs.length !== 1) {
    throw new UnsupportedTopologyError('not a single-output functional layers model');
  }
  return { layers, output: String(outputs[0]![0]) };
}

export function inboundNames(layer: LayerJson): string[] {
  if (layer.inbound_nodes.length === 0) return [];
  if (layer.inbound_nodes.length !== 1)
    throw new UnsupportedTopologyError(`${layer.name} is shared`);
  const node = layer.inbound_nodes[0];
  if (!Array.isArray(node))
    throw new UnsupportedTopologyError(`${layer.name}: unknown inbound format`);
  return node.map((edge) => String((edge as unknown[])[0]));
}

export function pair(value: unknown, fallback: number): [number, number] {
  if (Array.isArray(value)) return [Number(value[0] ?? fallback), Number(value[1] ?? fallback)];
  return typeof value === 'number' ? [value, value] : [fallback, fallback];
}

/** Keras ZeroPadding2D `padding`: 1, [1, 2] (symmetric per axis) or [[top, bottom], [left, right]]. */
export function padding2d(value: unknown): [[number, number], [number, number]] {
  if (typeof value === 'number')
    return [
      [value, value],
      [value, value],
    ];
  if (Array.isArray(value) && value.length === 2) {
    const axis = (v: unknown): [number, number] =>
      Array.isArray(v) ? [Number(v[0] ?? 0), Number(v[1] ?? 0)] : [Number(v), Number(v)];
    return [axis(value[0]), axis(value[1])];
  }
  throw new UnsupportedTopologyError(`padding ${JSON.stringify(value)}`);
}

export function activationOf(layer: LayerJson): Activation | 'softmax' {
  const name = (layer.config.activation as string | undefined) ?? 'linear';
  if (name === 'linear' || name === 'relu' || name === 'relu6' || name === 'softmax') return name;
  throw new UnsupportedTopologyError(`${layer.name}: activation ${name}`);
}

export function reluActivation(layer: LayerJson): Activation {
  const { max_value: max, negative_slope: slope, threshold } = layer.config;
  if ((slope ?? 0) !== 0 || (threshold ?? 0) !== 0)
    throw new UnsupportedTopologyError(`${layer.name}: leaky ReLU`);
  if (max == null) return 'relu';
  if (max === 6) return 'relu6';
  throw new UnsupportedTopologyError(`${layer.name}: ReLU max ${JSON.stringify(max)}`);
}

/** One forward pass: runs `ops` in order on `input` and returns the outputs of the named ops. */
export function runOps(
  ops: readonly Op[],
  input: tf.Tensor4D,
  outputNames: readonly string[],
): tf.Tensor2D[] {
  return tf.tidy(() => {
    const values = new Map<string, tf.Tensor>();
    const get = (name: string) => values.get(name)!;
    for (const op of ops) {
      let out: tf.Tensor;
      switch (op.kind) {
        case 'input':
          out = input;
          break;
        case 'conv':
        case 'depthwise': {
          const fused = op.kind === 'conv' ? tf.fused.conv2d : tf.fused.depthwiseConv2d;
          out = fused({
            x: get(op.input) as tf.Tensor4D,
            filter: op.filter,
            strides: op.strides,
            pad: op.pad,
            dilations: op.dilations,
            bias: op.bias,
            activation: op.activation,
          });
          break;
        }
        case 'affine':
          out = tf.add(tf.mul(get(op.input), op.scale), op.shift);
          break;
        case 'activation':
          out = applyActivation(get(op.input), op.activation);
          break;
        case 'add':
          out =
            op.inputs.length === 2
              ? tf.add(get(op.inputs[0]!), get(op.inputs[1]!))
              : tf.addN(op.inputs.map(get));
          break;
        case 'gap':
          out = tf.mean(get(op.input), [1, 2]);
          break;
        case 'identity':
          out = get(op.input);
          break;
        case 'pad':
          out = tf.pad(get(op.input), [[0, 0], ...op.padding, [0, 0]]);
          break;
        case 'avgpool':
          out = tf.avgPool(get(op.input) as tf.Tensor4D, op.pool, op.strides, op.pad);
          break;
        case 'flatten': {
          const x = get(op.input);
          out = tf.reshape(x, [x.shape[0] ?? 1, -1]);
          break;
        }
        case 'dense': {
          let x = tf.matMul(get(op.input), op.kernel);
          if (op.bias) x = tf.add(x, op.bias);
          out = applyActivation(x, op.activation);
          break;
        }
      }
      values.set(op.out, out);
    }
    return outputNames.map((name) => get(name) as tf.Tensor2D);
  });
}

function applyActivation(x: tf.Tensor, activation: Activation | 'softmax'): tf.Tensor {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'softmax':
      return tf.softmax(x);
  }
}
