/**
 * The TF.js kernels behind every graph op, Keras layer class and activation the app supports
 * (shared/model-ops.ts, which these maps must cover exactly): the classifier worker registers
 * exactly these on each backend (the TF.js custom-bundle approach), so it ships the few dozen
 * kernels image classifiers use instead of all ~170 per backend.
 * Each entry is what tfjs-converter's executor or tfjs-layers' layer calls through tfjs-core
 * (measured by running one tiny model per entry: worker/classifier/kernels/kernels.test.ts, which
 * also runs every entry with only these kernels registered).
 */
import type {
  SupportedActivation,
  SupportedGraphOp,
  SupportedLayerClass,
} from '../../../shared/model-ops';

type Kernels<Name extends string> = Record<Name, readonly string[]>;

/** Graph ops (`node[].op` of a graph model.json) → kernels. */
export const GRAPH_OP_KERNELS = {
  Placeholder: [],
  PlaceholderWithDefault: [],
  Const: [],
  Identity: ['Identity'],
  IdentityN: ['Identity'],
  StopGradient: ['Identity'],
  Snapshot: ['Identity'],
  Shape: [],
  Add: ['Add'],
  AddV2: ['Add'],
  BiasAdd: ['Add'],
  AddN: ['AddN'],
  Sub: ['Sub'],
  Mul: ['Multiply'],
  RealDiv: ['RealDiv'],
  Div: ['RealDiv'],
  Maximum: ['Maximum'],
  Minimum: ['Minimum'],
  SquaredDifference: ['SquaredDifference'],
  Pow: ['Pow'],
  Abs: ['Abs'],
  Neg: ['Neg'],
  Exp: ['Exp'],
  Log: ['Log'],
  Sqrt: ['Sqrt'],
  Rsqrt: ['Rsqrt'],
  Reciprocal: ['Reciprocal'],
  Square: ['Square'],
  Relu: ['Relu'],
  Relu6: ['Relu6'],
  Elu: ['Elu'],
  Selu: ['Selu'],
  Sigmoid: ['Sigmoid'],
  Tanh: ['Tanh'],
  Softplus: ['Softplus'],
  Erf: ['Erf'],
  LeakyRelu: ['LeakyRelu'],
  Prelu: ['Prelu'],
  ClipByValue: ['ClipByValue'],
  Conv2D: ['Conv2D'],
  _FusedConv2D: ['FusedConv2D'],
  DepthwiseConv2d: ['DepthwiseConv2dNative'],
  DepthwiseConv2dNative: ['DepthwiseConv2dNative'],
  FusedDepthwiseConv2dNative: ['FusedDepthwiseConv2D'],
  AvgPool: ['AvgPool', 'Cast'],
  MaxPool: ['MaxPool'],
  MatMul: ['BatchMatMul'],
  BatchMatMul: ['BatchMatMul'],
  BatchMatMulV2: ['BatchMatMul'],
  _FusedMatMul: ['_FusedMatMul', 'Reshape'],
  Transpose: ['Transpose'],
  FusedBatchNorm: ['FusedBatchNorm', 'Reshape'],
  FusedBatchNormV2: ['FusedBatchNorm', 'Reshape'],
  FusedBatchNormV3: ['FusedBatchNorm', 'Reshape'],
  Softmax: ['Softmax'],
  LogSoftmax: ['Max', 'Sub', 'Exp', 'Sum', 'Log', 'Cast'],
  Mean: ['Mean'],
  Max: ['Max'],
  Min: ['Min'],
  Sum: ['Sum'],
  ConcatV2: ['Concat'],
  Concat: ['Concat'],
  Slice: ['Slice'],
  StridedSlice: ['StridedSlice'],
  Pack: ['Pack', 'Reshape'],
  Unpack: ['Unpack'],
  Cast: ['Cast'],
  ExpandDims: ['ExpandDims'],
  Squeeze: ['Reshape'],
  Reshape: ['Reshape'],
  Pad: ['PadV2'],
  PadV2: ['PadV2'],
  MirrorPad: ['MirrorPad'],
  ResizeBilinear: ['ResizeBilinear'],
} as const satisfies Kernels<SupportedGraphOp>;

/** Keras layer classes (`class_name` in a layers model.json) → kernels, for the stock layers model. */
export const LAYER_CLASS_KERNELS = {
  // tfjs-layers runs every model through Identity and Slice.
  Model: ['Identity', 'Slice'],
  Functional: ['Identity', 'Slice'],
  Sequential: ['Identity', 'Slice'],
  InputLayer: ['Identity', 'Slice'],
  Conv2D: ['FusedConv2D'],
  DepthwiseConv2D: ['DepthwiseConv2dNative', 'Add', 'Reshape'],
  SeparableConv2D: ['DepthwiseConv2dNative', 'Conv2D', 'Add', 'Reshape'],
  Dense: ['_FusedMatMul', 'Reshape', 'Transpose'],
  BatchNormalization: ['FusedBatchNorm', 'Reshape'],
  LayerNormalization: ['FusedBatchNorm', 'Mean', 'Square', 'Sub', 'Tile', 'Reshape', 'Cast'],
  Activation: [],
  ReLU: ['Relu', 'ClipByValue'],
  LeakyReLU: ['LeakyRelu'],
  PReLU: ['Prelu'],
  ELU: ['Elu'],
  Softmax: ['Softmax'],
  Add: ['Add'],
  Multiply: ['Multiply'],
  Average: ['Add', 'Multiply'],
  Maximum: ['Maximum'],
  Minimum: ['Minimum'],
  Concatenate: ['Concat'],
  Dropout: [],
  GaussianNoise: [],
  GaussianDropout: [],
  AlphaDropout: [],
  Flatten: ['Reshape'],
  Reshape: ['Reshape'],
  Permute: ['Transpose'],
  ZeroPadding2D: ['PadV2'],
  Cropping2D: [],
  MaxPooling2D: ['MaxPool'],
  AveragePooling2D: ['AvgPool', 'Cast'],
  GlobalAveragePooling2D: ['Mean'],
  GlobalMaxPooling2D: ['Max'],
  Rescaling: ['Add', 'Multiply'],
} as const satisfies Kernels<SupportedLayerClass>;

/** Activations a layer may name (`config.activation`) → the kernels beyond the layer's own. */
export const ACTIVATION_KERNELS = {
  linear: [],
  relu: ['Relu'],
  relu6: ['Relu', 'Minimum', 'Add'],
  elu: ['Elu'],
  selu: ['Selu', 'Add'],
  sigmoid: ['Sigmoid', 'Add'],
  tanh: ['Tanh', 'Add'],
  softmax: ['Softmax', 'Add'],
  softplus: ['Softplus', 'Add'],
  softsign: ['Abs', 'RealDiv', 'Add'],
  swish: ['Sigmoid', 'Multiply', 'Add'],
  mish: ['Softplus', 'Tanh', 'Multiply', 'Add'],
  gelu: ['Erf', 'Multiply', 'RealDiv', 'Add'],
} as const satisfies Kernels<SupportedActivation>;

/**
 * What the worker's own code runs beyond the model's ops: the fused executor (fused-graph.ts:
 * batch norm folded at load time, fused convolutions, padding, pooling, mean, dense, softmax)
 * and the pack code (softmax over a model's logits).
 */
export const EXECUTOR_KERNELS = [
  'PadV2',
  'AvgPool',
  'Cast',
  'FusedConv2D',
  'FusedDepthwiseConv2D',
  'Add',
  'AddN',
  'Multiply',
  'Sub',
  'RealDiv',
  'Sqrt',
  'Mean',
  'BatchMatMul',
  'Relu',
  'Relu6',
  'Softmax',
  'Reshape',
  'Identity',
] as const;

type Values<T> = T[keyof T] extends readonly (infer K)[] ? K : never;

/** Every kernel the worker registers, on every backend. */
export type RequiredKernel =
  | Values<typeof GRAPH_OP_KERNELS>
  | Values<typeof LAYER_CLASS_KERNELS>
  | Values<typeof ACTIVATION_KERNELS>
  | (typeof EXECUTOR_KERNELS)[number];
