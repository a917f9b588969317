/**
 * A faster executor for the MobileNet-style TF.js layers models our packs hold. TF.js layers run
 * every BatchNormalization and ReLU as an op of its own (52 BN + 35 ReLU in MobileNetV2, each a
 * full pass over a large activation). Here BN is folded into the preceding convolution's weights
 * and bias at load time, and ReLU/ReLU6 becomes the fused conv's activation, so a forward pass is
 * ~55 fused ops instead of ~150 layer calls. Unsupported topologies throw, and the caller falls
 * back to `tf.loadLayersModel`.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  activationOf,
  inboundNames,
  layersOf,
  padding2d,
  pair,
  reluActivation,
  runOps,
  UnsupportedTopologyError,
  type Op,
} from './fused-ops';

export { UnsupportedTopologyError } from './fused-ops';

/** A model ready to run: NHWC float32 batch in, class probabilities out. */
export interface FusedGraph {
  readonly inputShape: [number, number, number];
  predict(input: tf.Tensor4D): tf.Tensor2D;
  /** Class probabilities and the output of layer `layer`, from the same forward pass. */
  predictWith(input: tf.Tensor4D, layer: string): [tf.Tensor2D, tf.Tensor2D];
  dispose(): void;
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
            // Scalars stand in for a missing gamma (1) or beta (0): no extra kernels for them.
            const scale = tf.div<tf.Tensor1D>(
              c.scale === false ? 1 : weight(layer.name, 'gamma'),
              tf.sqrt(tf.add(variance, Number(c.epsilon ?? 1e-3))),
            );
            const shift = tf.sub<tf.Tensor1D>(
              c.center === false ? 0 : weight(layer.name, 'beta'),
              tf.mul(weight(layer.name, 'moving_mean'), scale),
            );
            if (fusable && onlyConsumer && previous.activation === 'linear') {
              // Fold: conv(x, W)·s + b·s + shift, with s per output channel.
              const filterScale =
                previous.kind === 'conv'
                  ? scale
                  : tf.reshape(scale, [previous.filter.shape[2], previous.filter.shape[3]]);
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
          case 'ZeroPadding2D':
          case 'AveragePooling2D':
          case 'Flatten':
            if ((c.data_format ?? 'channels_last') !== 'channels_last')
              throw new UnsupportedTopologyError(`${layer.name}: channels_first`);
            op =
              layer.class_name === 'ZeroPadding2D'
                ? { kind: 'pad', out: layer.name, input: single, padding: padding2d(c.padding) }
                : layer.class_name === 'Flatten'
                  ? { kind: 'flatten', out: layer.name, input: single }
                  : {
                      kind: 'avgpool',
                      out: layer.name,
                      input: single,
                      pool: pair(c.pool_size, 2),
                      strides: pair(c.strides ?? c.pool_size, 2),
                      pad: c.padding === 'same' ? 'same' : 'valid',
                    };
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
    predict: (input: tf.Tensor4D) => runOps(ops, input, [outputName])[0]!,
    predictWith: (input: tf.Tensor4D, layer: string) => {
      const name = resolve(layer);
      if (!producer.has(name)) throw new UnsupportedTopologyError(`no layer ${layer}`);
      const [output, features] = runOps(ops, input, [outputName, name]);
      return [output!, features!];
    },
    dispose() {
      for (const t of owned) t.dispose();
      owned.length = 0;
    },
  };
}
