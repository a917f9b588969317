/**
 * A faster executor for the MobileNet-style TF.js layers models our packs hold. TF.js layers run
 * every BatchNormalization and ReLU as an op of its own (52 BN + 35 ReLU in MobileNetV2, each a
 * full pass over a large activation). Here BN is folded into the preceding convolution's weights
 * and bias at load time, and ReLU/ReLU6 becomes the fused conv's activation, so a forward pass is
 * ~55 fused ops instead of ~150 layer calls. Unsupported topologies throw, and the caller falls
 * back to `tf.loadLayersModel`.
 */
import * as tf from '@tensorflow/tfjs';

type Activation = 'linear' | 'relu' | 'relu6';
type Padding = 'same' | 'valid';

interface LayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown[];
}

type Op =
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
  | { kind: 'identity'; out: string; input: string }
  | {
      kind: 'dense';
      out: string;
      input: string;
      kernel: tf.Tensor2D;
      bias?: tf.Tensor1D;
      activation: Activation | 'softmax';
    };

/** Thrown when the topology has a layer this executor does not know; use the layers model then. */
export class UnsupportedTopologyError extends Error {}

/** A model ready to run: NHWC float32 batch in, class probabilities out. */
export interface FusedGraph {
  readonly inputShape: [number, number, number];
  predict(input: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

function layersOf(modelJson: unknown): { layers: LayerJson[]; output: string } {
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

function inboundNames(layer: LayerJson): string[] {
  if (layer.inbound_nodes.length === 0) return [];
  if (layer.inbound_nodes.length !== 1)
    throw new UnsupportedTopologyError(`${layer.name} is shared`);
  const node = layer.inbound_nodes[0];
  if (!Array.isArray(node))
    throw new UnsupportedTopologyError(`${layer.name}: unknown inbound format`);
  return node.map((edge) => String((edge as unknown[])[0]));
}

function pair(value: unknown, fallback: number): [number, number] {
  if (Array.isArray(value)) return [Number(value[0] ?? fallback), Number(value[1] ?? fallback)];
  return typeof value === 'number' ? [value, value] : [fallback, fallback];
}

function activationOf(layer: LayerJson): Activation | 'softmax' {
  const name = (layer.config.activation as string | undefined) ?? 'linear';
  if (name === 'linear' || name === 'relu' || name === 'relu6' || name === 'softmax') return name;
  throw new UnsupportedTopologyError(`${layer.name}: activation ${name}`);
}

function reluActivation(layer: LayerJson): Activation {
  const { max_value: max, negative_slope: slope, threshold } = layer.config;
  if ((slope ?? 0) !== 0 || (threshold ?? 0) !== 0)
    throw new UnsupportedTopologyError(`${layer.name}: leaky ReLU`);
  if (max == null) return 'relu';
  if (max === 6) return 'relu6';
  throw new UnsupportedTopologyError(`${layer.name}: ReLU max ${JSON.stringify(max)}`);
}

/**
 * Builds the fused executor from model.json and its decoded weights (`tf.io.decodeWeights`).
 * Takes ownership of nothing: the weights passed in may be disposed afterwards.
 */
export function buildFusedGraph(modelJson: unknown, weights: tf.NamedTensorMap): FusedGraph {
  const { layers, output } = layersOf(modelJson);
  const consumers = new Map<string, number>();
  for (const layer of layers)
    for (const name of inboundNames(layer)) consumers.set(name, (consumers.get(name) ?? 0) + 1);
  const weight = (layer: string, param: string): tf.Tensor => {
    const t = weights[`${layer}/${param}`];
    if (!t) throw new UnsupportedTopologyError(`missing weight ${layer}/${param}`);
    return t;
  };
  const ops: Op[] = [];
  /** Output name of the op that now produces each layer's output (after fusion). */
  const alias = new Map<string, string>();
  const producer = new Map<string, Op>();
  const resolve = (name: string) => alias.get(name) ?? name;
  let inputShape: [number, number, number] | undefined;
  const owned: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    owned.push(t);
    return tf.keep(t);
  };

  try {
    tf.tidy(() => {
      for (const layer of layers) {
        const inputs = inboundNames(layer).map(resolve);
        const single = inputs[0] ?? '';
        const previous = producer.get(single);
        const fusable = previous && (previous.kind === 'conv' || previous.kind === 'depthwise');
        const onlyConsumer = inputs.length === 1 && consumers.get(inboundNames(layer)[0]!) === 1;
        const c = layer.config;
        let op: Op | undefined;
        switch (layer.class_name) {
          case 'InputLayer': {
            const shape = c.batch_input_shape as (number | null)[] | undefined;
            if (!shape || shape.length !== 4 || shape[3] !== 3)
              throw new UnsupportedTopologyError('input is not NHWC RGB');
            inputShape = [shape[1] ?? 0, shape[2] ?? 0, 3];
            op = { kind: 'input', out: layer.name };
            break;
          }
          case 'Conv2D':
          case 'DepthwiseConv2D': {
            const depthwise = layer.class_name === 'DepthwiseConv2D';
            if ((c.data_format ?? 'channels_last') !== 'channels_last')
              throw new UnsupportedTopologyError('channels_first');
            const activation = activationOf(layer);
            if (activation === 'softmax') throw new UnsupportedTopologyError('softmax conv');
            op = {
              kind: depthwise ? 'depthwise' : 'conv',
              out: layer.name,
              input: single,
              filter: weight(layer.name, depthwise ? 'depthwise_kernel' : 'kernel') as tf.Tensor4D,
              bias: c.use_bias === false ? undefined : (weight(layer.name, 'bias') as tf.Tensor1D),
              strides: pair(c.strides, 1),
              pad: c.padding === 'valid' ? 'valid' : 'same',
              dilations: pair(c.dilation_rate, 1),
              activation,
            };
            break;
          }
          case 'BatchNormalization': {
            const axis = c.axis as number | number[] | undefined;
            const last = Array.isArray(axis)
              ? axis.length === 1 && (axis[0] === -1 || axis[0] === 3)
              : axis === -1 || axis === 3;
            if (!last) throw new UnsupportedTopologyError(`${layer.name}: BN axis`);
            const variance = weight(layer.name, 'moving_variance');
            const scale = tf.div<tf.Tensor1D>(
              c.scale === false ? tf.onesLike(variance) : weight(layer.name, 'gamma'),
              tf.sqrt(tf.add(variance, Number(c.epsilon ?? 1e-3))),
            );
            const beta = (
              c.center === false ? tf.zerosLike(variance) : weight(layer.name, 'beta')
            ) as tf.Tensor1D;
            const shift = tf.sub<tf.Tensor1D>(
              beta,
              tf.mul(weight(layer.name, 'moving_mean'), scale),
            );
            if (fusable && onlyConsumer && previous.activation === 'linear') {
              // Fold: conv(x, W)·s + b·s + shift, with s per output channel.
              const filterScale =
                previous.kind === 'conv'
                  ? scale
                  : scale.reshape([previous.filter.shape[2], previous.filter.shape[3]]);
              previous.filter = keep(tf.mul<tf.Tensor4D>(previous.filter, filterScale));
              previous.bias = keep(
                previous.bias ? tf.add<tf.Tensor1D>(tf.mul(previous.bias, scale), shift) : shift,
              );
              alias.set(layer.name, previous.out);
              continue;
            }
            op = {
              kind: 'affine',
              out: layer.name,
              input: single,
              scale: keep(scale),
              shift: keep(shift),
            };
            break;
          }
          case 'ReLU':
          case 'Activation': {
            const activation =
              layer.class_name === 'ReLU' ? reluActivation(layer) : activationOf(layer);
            if (
              fusable &&
              onlyConsumer &&
              previous.activation === 'linear' &&
              activation !== 'softmax'
            ) {
              previous.activation = activation;
              alias.set(layer.name, previous.out);
              continue;
            }
            op = { kind: 'activation', out: layer.name, input: single, activation };
            break;
          }
          case 'Add':
            op = { kind: 'add', out: layer.name, inputs };
            break;
          case 'GlobalAveragePooling2D':
            if ((c.data_format ?? 'channels_last') !== 'channels_last' || c.keepdims === true)
              throw new UnsupportedTopologyError('GAP options');
            op = { kind: 'gap', out: layer.name, input: single };
            break;
          case 'Dropout':
            alias.set(layer.name, single);
            continue;
          case 'Dense':
            op = {
              kind: 'dense',
              out: layer.name,
              input: single,
              kernel: weight(layer.name, 'kernel') as tf.Tensor2D,
              bias: c.use_bias === false ? undefined : (weight(layer.name, 'bias') as tf.Tensor1D),
              activation: activationOf(layer),
            };
            break;
          default:
            throw new UnsupportedTopologyError(`layer ${layer.class_name}`);
        }
        ops.push(op);
        producer.set(op.out, op);
      }
    });
    // Weights still pointing at the caller's tensors get their own copies, so the caller may dispose.
    for (const op of ops) {
      if (op.kind === 'conv' || op.kind === 'depthwise') {
        if (!owned.includes(op.filter)) op.filter = keep(op.filter.clone());
        if (op.bias && !owned.includes(op.bias)) op.bias = keep(op.bias.clone());
      } else if (op.kind === 'dense') {
        op.kernel = keep(op.kernel.clone());
        if (op.bias) op.bias = keep(op.bias.clone());
      }
    }
  } catch (error) {
    for (const t of owned) t.dispose();
    throw error;
  }
  if (!inputShape) throw new UnsupportedTopologyError('no input layer');
  const outputName = resolve(output);
  const shape = inputShape;

  return {
    inputShape: shape,
    predict(input: tf.Tensor4D): tf.Tensor2D {
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
              out = tf.fused.conv2d({
                x: get(op.input) as tf.Tensor4D,
                filter: op.filter,
                strides: op.strides,
                pad: op.pad,
                dilations: op.dilations,
                bias: op.bias,
                activation: op.activation,
              });
              break;
            case 'depthwise':
              out = tf.fused.depthwiseConv2d({
                x: get(op.input) as tf.Tensor4D,
                filter: op.filter,
                strides: op.strides,
                pad: op.pad,
                dilations: op.dilations,
                bias: op.bias,
                activation: op.activation,
              });
              break;
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
            case 'dense': {
              let x = tf.matMul(get(op.input), op.kernel);
              if (op.bias) x = tf.add(x, op.bias);
              out = applyActivation(x, op.activation);
              break;
            }
          }
          values.set(op.out, out);
        }
        return get(outputName) as tf.Tensor2D;
      });
    },
    dispose() {
      for (const t of owned) t.dispose();
      owned.length = 0;
    },
  };
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
