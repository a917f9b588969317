/**
 * MobileNetV2 (width 1.0) in TF.js layers, with the layer names of keras.applications.MobileNetV2,
 * and the map from each Keras weight to the TF-slim tensor name of the ImageNet checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import type { InputSize } from '../shared/preprocess';

/** The input MobileNetV2 was trained at on ImageNet, and the packs' default. */
export const IMAGENET_INPUT: InputSize = { width: 224, height: 224 };
export const FEATURE_SIZE = 1280;
/** Name of the global-average-pooled 1280-d feature layer. */
export const POOLED_LAYER = 'global_average_pooling2d';

/** One inverted-residual block: output channels, stride, expansion factor. */
interface BlockSpec {
  filters: number;
  stride: 1 | 2;
  expansion: number;
}

/** Blocks 0..16 of MobileNetV2 1.0 (stride 2 at blocks 1, 3, 6, 13; block 0 has no expansion). */
export const BLOCKS: readonly BlockSpec[] = [
  { filters: 16, stride: 1, expansion: 1 },
  { filters: 24, stride: 2, expansion: 6 },
  { filters: 24, stride: 1, expansion: 6 },
  { filters: 32, stride: 2, expansion: 6 },
  { filters: 32, stride: 1, expansion: 6 },
  { filters: 32, stride: 1, expansion: 6 },
  { filters: 64, stride: 2, expansion: 6 },
  { filters: 64, stride: 1, expansion: 6 },
  { filters: 64, stride: 1, expansion: 6 },
  { filters: 64, stride: 1, expansion: 6 },
  { filters: 96, stride: 1, expansion: 6 },
  { filters: 96, stride: 1, expansion: 6 },
  { filters: 96, stride: 1, expansion: 6 },
  { filters: 160, stride: 2, expansion: 6 },
  { filters: 160, stride: 1, expansion: 6 },
  { filters: 160, stride: 1, expansion: 6 },
  { filters: 320, stride: 1, expansion: 6 },
];

const BN_EPSILON = 1e-3;
const BN_MOMENTUM = 0.999;

function batchNorm(name: string): tf.layers.Layer {
  return tf.layers.batchNormalization({
    name,
    epsilon: BN_EPSILON,
    momentum: BN_MOMENTUM,
    axis: -1,
  });
}

function relu6(name: string): tf.layers.Layer {
  return tf.layers.reLU({ name, maxValue: 6 });
}

function conv1x1(name: string, filters: number): tf.layers.Layer {
  return tf.layers.conv2d({ name, filters, kernelSize: 1, padding: 'same', useBias: false });
}

function invertedResidual(
  x: tf.SymbolicTensor,
  index: number,
  spec: BlockSpec,
  inChannels: number,
): tf.SymbolicTensor {
  const prefix = index === 0 ? 'expanded_conv_' : `block_${index}_`;
  let h = x;
  if (spec.expansion !== 1) {
    h = conv1x1(`${prefix}expand`, inChannels * spec.expansion).apply(h) as tf.SymbolicTensor;
    h = batchNorm(`${prefix}expand_BN`).apply(h) as tf.SymbolicTensor;
    h = relu6(`${prefix}expand_relu`).apply(h) as tf.SymbolicTensor;
  }
  // 'same' padding with stride 2 on even sizes pads bottom/right only, like Keras' ZeroPadding2D(correct_pad).
  h = tf.layers
    .depthwiseConv2d({
      name: `${prefix}depthwise`,
      kernelSize: 3,
      strides: spec.stride,
      padding: 'same',
      useBias: false,
    })
    .apply(h) as tf.SymbolicTensor;
  h = batchNorm(`${prefix}depthwise_BN`).apply(h) as tf.SymbolicTensor;
  h = relu6(`${prefix}depthwise_relu`).apply(h) as tf.SymbolicTensor;
  h = conv1x1(`${prefix}project`, spec.filters).apply(h) as tf.SymbolicTensor;
  h = batchNorm(`${prefix}project_BN`).apply(h) as tf.SymbolicTensor;
  if (spec.stride === 1 && inChannels === spec.filters) {
    h = tf.layers.add({ name: `${prefix}add` }).apply([x, h]) as tf.SymbolicTensor;
  }
  return h;
}

/**
 * Builds the MobileNetV2 backbone from an RGB input (224 × 224 as trained on ImageNet; any size
 * works, the convolutions and the pooling do not depend on it) to the global-average-pooled 1280-d
 * features.
 */
export function buildMobileNetV2Backbone(size: InputSize = IMAGENET_INPUT): tf.LayersModel {
  const input = tf.input({ shape: [size.height, size.width, 3], name: 'input_1' });
  let x = tf.layers
    .conv2d({
      name: 'Conv1',
      filters: 32,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      useBias: false,
    })
    .apply(input) as tf.SymbolicTensor;
  x = batchNorm('bn_Conv1').apply(x) as tf.SymbolicTensor;
  x = relu6('Conv1_relu').apply(x) as tf.SymbolicTensor;
  let channels = 32;
  BLOCKS.forEach((spec, i) => {
    x = invertedResidual(x, i, spec, channels);
    channels = spec.filters;
  });
  x = conv1x1('Conv_1', FEATURE_SIZE).apply(x) as tf.SymbolicTensor;
  x = batchNorm('Conv_1_bn').apply(x) as tf.SymbolicTensor;
  x = relu6('out_relu').apply(x) as tf.SymbolicTensor;
  const pooled = tf.layers
    .globalAveragePooling2d({ name: POOLED_LAYER })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: pooled, name: 'mobilenetv2_1.00_224' });
}

const BN_SUFFIXES: Record<string, string> = {
  gamma: 'BatchNorm_gamma',
  beta: 'BatchNorm_beta',
  moving_mean: 'BatchNorm_moving_mean',
  moving_variance: 'BatchNorm_moving_variance',
};

/** TF-slim scope of a Keras conv or batch-norm layer name, e.g. `block_3_expand_BN` → `expanded_conv_3_expand`. */
function slimScope(kerasLayer: string): string {
  if (kerasLayer === 'Conv1' || kerasLayer === 'bn_Conv1') return 'Conv';
  if (kerasLayer === 'Conv_1' || kerasLayer === 'Conv_1_bn') return 'Conv_1';
  const block0 = /^expanded_conv_(depthwise|project)(?:_BN)?$/.exec(kerasLayer);
  if (block0) return `expanded_conv_${block0[1]}`;
  const block = /^block_(\d+)_(expand|depthwise|project)(?:_BN)?$/.exec(kerasLayer);
  if (block) return `expanded_conv_${block[1]}_${block[2]}`;
  throw new Error(`no TF-slim name for layer ${kerasLayer}`);
}

/**
 * Maps a Keras weight name (`block_3_expand_BN/gamma`, `Conv1/kernel`) to the TF-slim checkpoint
 * tensor name used by the `.npy` files (`expanded_conv_3_expand_BatchNorm_gamma`, `Conv_weights`).
 */
export function slimTensorName(kerasWeight: string): string {
  const [layer, variable] = kerasWeight.split('/') as [string, string | undefined];
  const scope = slimScope(layer);
  if (variable === 'kernel') return `${scope}_weights`;
  if (variable === 'depthwise_kernel') return `${scope}_depthwise_weights`;
  const bn = variable === undefined ? undefined : BN_SUFFIXES[variable];
  if (bn !== undefined) return `${scope}_${bn}`;
  throw new Error(`no TF-slim name for weight ${kerasWeight}`);
}

/** Keras-style weight name of a layer variable: `<layer>/<variable>` without TF.js' numeric suffixes. */
export function kerasWeightName(layerName: string, variableName: string): string {
  const leaf = variableName.split('/').pop() ?? variableName;
  return `${layerName}/${leaf.replace(/_\d+$/, '')}`;
}
