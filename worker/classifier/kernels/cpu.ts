/**
 * The CPU (plain JavaScript) kernels the classifier worker registers: exactly the kernels of ./ops.ts
 * (TypeScript refuses a missing or extra one).
 */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { absConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Abs';
import { addConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Add';
import { addNConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/AddN';
import { avgPoolConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/AvgPool';
import { batchMatMulConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/BatchMatMul';
import { castConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Cast';
import { clipByValueConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/ClipByValue';
import { concatConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Concat';
import { conv2DConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Conv2D';
import { depthwiseConv2dNativeConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/DepthwiseConv2dNative';
import { eluConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Elu';
import { erfConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Erf';
import { expConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Exp';
import { expandDimsConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/ExpandDims';
import { batchNormConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/BatchNorm';
import { fusedConv2DConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/FusedConv2D';
import { fusedDepthwiseConv2DConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/FusedDepthwiseConv2D';
import { identityConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Identity';
import { leakyReluConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/LeakyRelu';
import { logConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Log';
import { maxConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Max';
import { maxPoolConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/MaxPool';
import { maximumConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Maximum';
import { meanConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Mean';
import { minConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Min';
import { minimumConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Minimum';
import { mirrorPadConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/MirrorPad';
import { multiplyConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Multiply';
import { negConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Neg';
import { packConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Pack';
import { padV2Config } from '@tensorflow/tfjs-backend-cpu/dist/kernels/PadV2';
import { powConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Pow';
import { preluConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Prelu';
import { realDivConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/RealDiv';
import { reciprocalConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Reciprocal';
import { reluConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Relu';
import { relu6Config } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Relu6';
import { reshapeConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Reshape';
import { resizeBilinearConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/ResizeBilinear';
import { rsqrtConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Rsqrt';
import { seluConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Selu';
import { sigmoidConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Sigmoid';
import { sliceConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Slice';
import { softmaxConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Softmax';
import { softplusConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Softplus';
import { sqrtConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Sqrt';
import { squareConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Square';
import { squaredDifferenceConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/SquaredDifference';
import { stridedSliceConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/StridedSlice';
import { subConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Sub';
import { sumConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Sum';
import { tanhConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Tanh';
import { tileConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Tile';
import { transposeConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Transpose';
import { unpackConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Unpack';
import { _fusedMatMulConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/_FusedMatMul';
import type { RequiredKernel } from './ops';

export const CPU_KERNELS: Record<RequiredKernel, KernelConfig> = {
  Abs: absConfig,
  Add: addConfig,
  AddN: addNConfig,
  AvgPool: avgPoolConfig,
  BatchMatMul: batchMatMulConfig,
  Cast: castConfig,
  ClipByValue: clipByValueConfig,
  Concat: concatConfig,
  Conv2D: conv2DConfig,
  DepthwiseConv2dNative: depthwiseConv2dNativeConfig,
  Elu: eluConfig,
  Erf: erfConfig,
  Exp: expConfig,
  ExpandDims: expandDimsConfig,
  FusedBatchNorm: batchNormConfig,
  FusedConv2D: fusedConv2DConfig,
  FusedDepthwiseConv2D: fusedDepthwiseConv2DConfig,
  Identity: identityConfig,
  LeakyRelu: leakyReluConfig,
  Log: logConfig,
  Max: maxConfig,
  MaxPool: maxPoolConfig,
  Maximum: maximumConfig,
  Mean: meanConfig,
  Min: minConfig,
  Minimum: minimumConfig,
  MirrorPad: mirrorPadConfig,
  Multiply: multiplyConfig,
  Neg: negConfig,
  Pack: packConfig,
  PadV2: padV2Config,
  Pow: powConfig,
  Prelu: preluConfig,
  RealDiv: realDivConfig,
  Reciprocal: reciprocalConfig,
  Relu: reluConfig,
  Relu6: relu6Config,
  Reshape: reshapeConfig,
  ResizeBilinear: resizeBilinearConfig,
  Rsqrt: rsqrtConfig,
  Selu: seluConfig,
  Sigmoid: sigmoidConfig,
  Slice: sliceConfig,
  Softmax: softmaxConfig,
  Softplus: softplusConfig,
  Sqrt: sqrtConfig,
  Square: squareConfig,
  SquaredDifference: squaredDifferenceConfig,
  StridedSlice: stridedSliceConfig,
  Sub: subConfig,
  Sum: sumConfig,
  Tanh: tanhConfig,
  Tile: tileConfig,
  Transpose: transposeConfig,
  Unpack: unpackConfig,
  _FusedMatMul: _fusedMatMulConfig,
};
