/**
 * One tiny model per supported graph op and Keras layer class (tests/support/op-models.ts builds
 * them): the kernel test runs each with only the classifier worker's kernels registered.
 */
import * as tf from '@tensorflow/tfjs';
import { SUPPORTED_ACTIVATIONS, type SupportedActivation } from '../../shared/model-ops.js';
import { attr, GraphBuilder } from './op-models.js';

export interface GraphOpModel {
  builder: GraphBuilder;
  output: string;
  /** Feed values in [1, 1.5] instead of [-1, 1) (logarithms, square roots). */
  positive?: boolean;
  /** Other graph ops the model runs besides the one it is for. */
  alsoRuns?: string[];
}

const NHWC = attr.str('NHWC');
const CONV = {
  strides: attr.ints([1, 1, 1, 1]),
  padding: attr.str('SAME'),
  dilations: attr.ints([1, 1, 1, 1]),
  data_format: NHWC,
};
const POOL = {
  ksize: attr.ints([1, 2, 2, 1]),
  strides: attr.ints([1, 2, 2, 1]),
  padding: attr.str('VALID'),
  data_format: NHWC,
};

function model(
  build: (g: GraphBuilder) => string,
  options: { shape?: number[]; positive?: boolean; alsoRuns?: string[] } = {},
): () => GraphOpModel {
  return () => {
    const builder = new GraphBuilder(options.shape);
    return { builder, output: build(builder), ...options };
  };
}

/** A grappler-fused convolution: filter, bias and an activation in one node. */
const fusedConv = (op: string, filter: number[], outputs: number, activation: string) =>
  model((g) =>
    g.node(op, ['x', g.floats(filter), g.floats([outputs])], {
      ...CONV,
      num_args: attr.int(1),
      fused_ops: attr.strs(['BiasAdd', activation]),
      epsilon: attr.float(0),
    }),
  );
const unary = (op: string, positive = false) => model((g) => g.node(op, ['x']), { positive });
const binary = (op: string, operand?: number[]) =>
  model((g) => g.node(op, ['x', g.floats([3], operand)]));

/** Every graph op the app supports, with a model that runs it. */
export const GRAPH_OP_MODELS: Record<string, () => GraphOpModel> = {
  Placeholder: model((g) => g.node('Identity', ['x']), { alsoRuns: ['Identity'] }),
  Const: model((g) => g.node('AddV2', ['x', g.floats([3])]), { alsoRuns: ['AddV2'] }),
  Identity: unary('Identity'),
  IdentityN: unary('IdentityN'),
  StopGradient: unary('StopGradient'),
  Snapshot: unary('Snapshot'),
  PlaceholderWithDefault: model((g) =>
    g.node('PlaceholderWithDefault', ['x'], { dtype: attr.float32 }),
  ),
  Add: binary('Add'),
  AddV2: binary('AddV2'),
  BiasAdd: model((g) => g.node('BiasAdd', ['x', g.floats([3])], { data_format: NHWC })),
  AddN: model((g) => g.node('AddN', ['x', 'x', 'x'], { N: attr.int(3) })),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  RealDiv: binary('RealDiv', [2, -3, 0.5]),
  Div: binary('Div', [2, -3, 0.5]),
  Maximum: binary('Maximum'),
  Minimum: binary('Minimum'),
  SquaredDifference: binary('SquaredDifference'),
  Pow: binary('Pow', [2, 3, 0.5].map(Math.round)),
  Abs: unary('Abs'),
  Neg: unary('Neg'),
  Exp: unary('Exp'),
  Log: unary('Log', true),
  Sqrt: unary('Sqrt', true),
  Rsqrt: unary('Rsqrt', true),
  Reciprocal: unary('Reciprocal', true),
  Square: unary('Square'),
  Relu: unary('Relu'),
  Relu6: unary('Relu6'),
  Elu: unary('Elu'),
  Selu: unary('Selu'),
  Sigmoid: unary('Sigmoid'),
  Tanh: unary('Tanh'),
  Softplus: unary('Softplus'),
  Erf: unary('Erf'),
  LeakyRelu: model((g) => g.node('LeakyRelu', ['x'], { alpha: attr.float(0.1) })),
  Prelu: model((g) => g.node('Prelu', ['x', g.floats([3])])),
  ClipByValue: model((g) =>
    g.node('ClipByValue', ['x', g.floats([], [-0.5]), g.floats([], [0.5])]),
  ),
  Conv2D: model((g) => g.node('Conv2D', ['x', g.floats([3, 3, 3, 4])], CONV)),
  _FusedConv2D: fusedConv('_FusedConv2D', [3, 3, 3, 4], 4, 'Relu6'),
  DepthwiseConv2dNative: model((g) =>
    g.node('DepthwiseConv2dNative', ['x', g.floats([3, 3, 3, 2])], CONV),
  ),
  DepthwiseConv2d: model((g) => g.node('DepthwiseConv2d', ['x', g.floats([3, 3, 3, 1])], CONV)),
  FusedDepthwiseConv2dNative: fusedConv('FusedDepthwiseConv2dNative', [3, 3, 3, 1], 3, 'Relu'),
  AvgPool: model((g) => g.node('AvgPool', ['x'], POOL)),
  MaxPool: model((g) => g.node('MaxPool', ['x'], POOL)),
  MatMul: model((g) => g.node('MatMul', ['x', g.floats([6, 4])]), { shape: [2, 6] }),
  _FusedMatMul: model(
    (g) =>
      g.node('_FusedMatMul', ['x', g.floats([6, 4]), g.floats([4])], {
        num_args: attr.int(1),
        fused_ops: attr.strs(['BiasAdd', 'Relu']),
        epsilon: attr.float(0),
      }),
    { shape: [2, 6] },
  ),
  BatchMatMul: model((g) => g.node('BatchMatMul', ['x', g.floats([2, 4, 5])]), {
    shape: [2, 3, 4],
  }),
  BatchMatMulV2: model((g) => g.node('BatchMatMulV2', ['x', g.floats([2, 4, 5])]), {
    shape: [2, 3, 4],
  }),
  Transpose: model((g) => g.node('Transpose', ['x', g.ints([0, 3, 1, 2])])),
  ...Object.fromEntries(
    ['FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3'].map((op) => [
      op,
      model((g) =>
        g.node(op, ['x', g.floats([3]), g.floats([3]), g.floats([3]), g.floats([3], [0.5, 1, 2])], {
          epsilon: attr.float(1e-3),
          data_format: NHWC,
          is_training: attr.bool(false),
        }),
      ),
    ]),
  ),
  Softmax: unary('Softmax'),
  LogSoftmax: unary('LogSoftmax'),
  ...Object.fromEntries(
    ['Mean', 'Max', 'Min', 'Sum'].map((op) => [
      op,
      model((g) => g.node(op, ['x', g.ints([1, 2])], { keep_dims: attr.bool(false) })),
    ]),
  ),
  ConcatV2: model((g) => g.node('ConcatV2', ['x', 'x', g.ints([3], [])], { N: attr.int(2) })),
  Concat: model((g) => g.node('Concat', [g.ints([3], []), 'x', 'x'], { N: attr.int(2) })),
  Slice: model((g) => g.node('Slice', ['x', g.ints([0, 1, 1, 0]), g.ints([1, 4, 4, 3])])),
  StridedSlice: model((g) =>
    g.node('StridedSlice', ['x', g.ints([0, 1, 0, 0]), g.ints([1, 7, 8, 3]), g.ints([1, 2, 1, 1])]),
  ),
  Pack: model((g) => g.node('Pack', ['x', 'x'], { axis: attr.int(1), N: attr.int(2) })),
  Unpack: model((g) => g.node('Unpack', ['x'], { axis: attr.int(3), num: attr.int(3) })),
  Cast: model((g) => g.node('Cast', ['x'], { SrcT: attr.float32, DstT: attr.int32 })),
  ExpandDims: model((g) => g.node('ExpandDims', ['x', g.ints([0], [])])),
  Squeeze: model((g) => g.node('Squeeze', ['x'], { squeeze_dims: attr.ints([0]) })),
  Reshape: model((g) => g.node('Reshape', ['x', g.ints([1, -1])])),
  Shape: unary('Shape'),
  Pad: model((g) => g.node('Pad', ['x', g.ints([0, 0, 1, 1, 2, 2, 0, 0], [4, 2])])),
  PadV2: model((g) =>
    g.node('PadV2', ['x', g.ints([0, 0, 1, 1, 2, 2, 0, 0], [4, 2]), g.floats([], [0.5])]),
  ),
  MirrorPad: model((g) =>
    g.node('MirrorPad', ['x', g.ints([0, 0, 1, 1, 2, 2, 0, 0], [4, 2])], {
      mode: attr.str('REFLECT'),
    }),
  ),
  ResizeBilinear: model((g) =>
    g.node('ResizeBilinear', ['x', g.ints([12, 12])], {
      align_corners: attr.bool(false),
      half_pixel_centers: attr.bool(true),
    }),
  ),
};

type Layer = (x: tf.SymbolicTensor) => tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) =>
  layer.apply(x) as tf.SymbolicTensor;
/** A merge layer of the input and a 1×1 convolution of it (so Conv2D runs too: LAYER_ALSO_USES). */
const both = (merge: (inputs: tf.SymbolicTensor[]) => tf.SymbolicTensor): Layer => {
  return (x) => merge([x, apply(tf.layers.conv2d({ filters: 3, kernelSize: 1 }), x)]);
};

/** Every Keras layer class the app supports, as a layers model that uses it. */
export const LAYER_MODELS: Record<string, Layer> = {
  InputLayer: (x) => x,
  // Containers: a functional model (class Model / Functional) holds every other entry here.
  Model: (x) => x,
  Functional: (x) => x,
  Conv2D: (x) => apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }), x),
  DepthwiseConv2D: (x) =>
    apply(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' }), x),
  SeparableConv2D: (x) =>
    apply(tf.layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'same' }), x),
  Dense: (x) => apply(tf.layers.dense({ units: 5 }), x),
  BatchNormalization: (x) => apply(tf.layers.batchNormalization({}), x),
  LayerNormalization: (x) => apply(tf.layers.layerNormalization({}), x),
  Activation: (x) => apply(tf.layers.activation({ activation: 'relu' }), x),
  ReLU: (x) => apply(tf.layers.reLU({ maxValue: 6 }), x),
  LeakyReLU: (x) => apply(tf.layers.leakyReLU({ alpha: 0.1 }), x),
  PReLU: (x) => apply(tf.layers.prelu({}), x),
  ELU: (x) => apply(tf.layers.elu({}), x),
  Softmax: (x) => apply(tf.layers.softmax({ axis: -1 }), x),
  Add: both((xs) => apply(tf.layers.add({}), xs)),
  Multiply: both((xs) => apply(tf.layers.multiply({}), xs)),
  Average: both((xs) => apply(tf.layers.average({}), xs)),
  Maximum: both((xs) => apply(tf.layers.maximum({}), xs)),
  Minimum: both((xs) => apply(tf.layers.minimum({}), xs)),
  Concatenate: both((xs) => apply(tf.layers.concatenate({}), xs)),
  Dropout: (x) => apply(tf.layers.dropout({ rate: 0.5 }), x),
  GaussianNoise: (x) => apply(tf.layers.gaussianNoise({ stddev: 0.1 }), x),
  GaussianDropout: (x) => apply(tf.layers.gaussianDropout({ rate: 0.1 }), x),
  AlphaDropout: (x) => apply(tf.layers.alphaDropout({ rate: 0.1 }), x),
  Flatten: (x) => apply(tf.layers.flatten({}), x),
  Reshape: (x) => apply(tf.layers.reshape({ targetShape: [64, 3] }), x),
  Permute: (x) => apply(tf.layers.permute({ dims: [3, 1, 2] }), x),
  ZeroPadding2D: (x) => apply(tf.layers.zeroPadding2d({ padding: 1 }), x),
  Cropping2D: (x) => apply(tf.layers.cropping2D({ cropping: 1 }), x),
  MaxPooling2D: (x) => apply(tf.layers.maxPooling2d({ poolSize: 2 }), x),
  AveragePooling2D: (x) => apply(tf.layers.averagePooling2d({ poolSize: 2 }), x),
  GlobalAveragePooling2D: (x) => apply(tf.layers.globalAveragePooling2d({}), x),
  GlobalMaxPooling2D: (x) => apply(tf.layers.globalMaxPooling2d({}), x),
  Rescaling: (x) => apply(tf.layers.rescaling({ scale: 1 / 127.5, offset: -1 }), x),
};

/** What a layer model runs besides its layer class: other layers, an activation. */
export const LAYER_ALSO_USES: Record<string, { layers?: string[]; activations?: string[] }> = {
  Activation: { activations: ['relu'] },
  ...Object.fromEntries(
    ['Add', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate'].map((merge) => [
      merge,
      { layers: ['Conv2D'] },
    ]),
  ),
};

/** Every activation a layer may name, as a Dense layer that uses it. */
export const ACTIVATION_MODELS = Object.fromEntries(
  SUPPORTED_ACTIVATIONS.map((activation) => [
    activation,
    (x: tf.SymbolicTensor) => apply(tf.layers.dense({ units: 5, activation }), x),
  ]),
) as Record<SupportedActivation, Layer>;
