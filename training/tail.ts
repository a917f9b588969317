/**
 * The tuned part of MobileNetV2 for fine-tuning: the last inverted-residual blocks and its final
 * 1×1 `Conv_1`, read from a layers model into trainable variables and written back after training.
 *
 * The tail is run as our own differentiable computation rather than through the layers model:
 * TF.js' WASM backend has no Conv2DBackpropFilter / DepthwiseConv2dNativeBackpropFilter kernels, so
 * the 1×1 convolutions are matrix products and the 3×3 depthwise convolution is nine shifted
 * products, all of which have gradients on WASM. Batch norm stays frozen in inference mode (its
 * moving statistics and gamma are kept, as is usual with few images); the conv kernels and the batch
 * norm betas are trained. The tuned weights are written back into the layers model in its own
 * parameterisation, so the pack's structure (and the browser's fused graph) does not change.
 *
 * Only the 7×7 stage (blocks 14–16, all stride 1) can be tuned: up to three blocks.
 */
import * as tf from '@tensorflow/tfjs';
import { BLOCKS, FEATURE_SIZE } from './mobilenet-v2';

export const MAX_FINE_TUNE_BLOCKS = 3;

const LAST_BLOCK = BLOCKS.length - 1;
const BN_EPSILON = 1e-3;

/** Name of the layer whose output feeds the first of the last `blocks` blocks. */
export function tailInputLayer(blocks: number): string {
  if (!Number.isInteger(blocks) || blocks < 1 || blocks > MAX_FINE_TUNE_BLOCKS)
    throw new RangeError(`fine-tune blocks must be 1..${MAX_FINE_TUNE_BLOCKS}, got ${blocks}`);
  const previous = LAST_BLOCK - blocks;
  // A block adds its input back only when it keeps stride 1 and the channel count (not block 13).
  const spec = BLOCKS[previous]!;
  const before = BLOCKS[previous - 1]!;
  return spec.stride === 1 && before.filters === spec.filters
    ? `block_${previous}_add`
    : `block_${previous}_project_BN`;
}

/** A convolution followed by a frozen batch norm: y = conv(x, kernel)·scale + beta + shift. */
interface ConvBn {
  convLayer: string;
  bnLayer: string;
  /** [in, out] for 1×1 convolutions, [3, 3, channels] for the depthwise one. */
  kernel: tf.Variable;
  beta: tf.Variable;
  /** gamma / sqrt(variance + epsilon), frozen. */
  scale: tf.Tensor1D;
  /** −scale · mean, frozen. */
  shift: tf.Tensor1D;
}

interface TailBlock {
  expand: ConvBn;
  depthwise: ConvBn;
  project: ConvBn;
  residual: boolean;
}

/** The tuned part of the backbone: the last blocks and Conv_1, as trainable variables. */
export interface Tail {
  blocks: TailBlock[];
  top: ConvBn;
  /** Spatial size and channels of the activations the tail takes. */
  inputShape: [number, number, number];
  variables: tf.Variable[];
}

function convBn(model: tf.LayersModel, convLayer: string, bnLayer: string): ConvBn {
  const [kernel] = model.getLayer(convLayer).getWeights() as [tf.Tensor4D];
  const [gamma, beta, mean, variance] = model.getLayer(bnLayer).getWeights() as tf.Tensor1D[];
  return tf.tidy(() => {
    const scale = gamma!.div<tf.Tensor1D>(variance!.add(BN_EPSILON).sqrt());
    const [kh, kw, inC, outC] = kernel.shape;
    const depthwise = convLayer.endsWith('depthwise');
    return {
      convLayer,
      bnLayer,
      kernel: tf.variable(
        depthwise ? kernel.reshape([kh, kw, inC]) : kernel.reshape([inC, outC]),
        true,
      ),
      beta: tf.variable(beta!, true),
      scale: tf.keep(scale),
      shift: tf.keep(scale.mul(mean!).neg() as tf.Tensor1D),
    };
  });
}

/** Reads the last `blocks` blocks and Conv_1 of a backbone (or pack) model into trainable variables. */
export function readTail(model: tf.LayersModel, blocks: number): Tail {
  const inputShape = model.getLayer(tailInputLayer(blocks)).outputShape as number[];
  const tailBlocks: TailBlock[] = [];
  for (let b = LAST_BLOCK - blocks + 1; b <= LAST_BLOCK; b++) {
    const p = `block_${b}_`;
    tailBlocks.push({
      expand: convBn(model, `${p}expand`, `${p}expand_BN`),
      depthwise: convBn(model, `${p}depthwise`, `${p}depthwise_BN`),
      project: convBn(model, `${p}project`, `${p}project_BN`),
      residual: BLOCKS[b]!.filters === BLOCKS[b - 1]!.filters && BLOCKS[b]!.stride === 1,
    });
  }
  const top = convBn(model, 'Conv_1', 'Conv_1_bn');
  const all = [...tailBlocks.flatMap((b) => [b.expand, b.depthwise, b.project]), top];
  return {
    blocks: tailBlocks,
    top,
    inputShape: [inputShape[1]!, inputShape[2]!, inputShape[3]!],
    variables: all.flatMap((c) => [c.kernel, c.beta]),
  };
}

/** Writes the tuned kernels and betas back into the layers model (gamma and moving statistics unchanged). */
export function writeTail(tail: Tail, model: tf.LayersModel): void {
  const all = [...tail.blocks.flatMap((b) => [b.expand, b.depthwise, b.project]), tail.top];
  for (const c of all) {
    const conv = model.getLayer(c.convLayer);
    const [old] = conv.getWeights() as [tf.Tensor4D];
    const kernel = c.kernel.reshape(old.shape);
    conv.setWeights([kernel]);
    kernel.dispose();
    const bn = model.getLayer(c.bnLayer);
    const [gamma, , mean, variance] = bn.getWeights();
    bn.setWeights([gamma!, c.beta, mean!, variance!]);
  }
}

export function disposeTail(tail: Tail): void {
  const all = [...tail.blocks.flatMap((b) => [b.expand, b.depthwise, b.project]), tail.top];
  for (const c of all) tf.dispose([c.kernel, c.beta, c.scale, c.shift]);
}

/** The batch-norm scale folded into the kernel (cheap: once per batch) and the offset as a bias. */
function folded(c: ConvBn): { kernel: tf.Tensor; bias: tf.Tensor1D } {
  return { kernel: c.kernel.mul(c.scale), bias: c.beta.add(c.shift) };
}

/**
 * a·b whose gradients use explicit transposes: TF.js' WASM BatchMatMul with transposeA/transposeB
 * (what the stock gradient asks for) measured ~10× slower than transposing first and multiplying.
 */
const matMul = tf.customGrad((a, b, save) => {
  const [x, w] = [a as tf.Tensor2D, b as tf.Tensor2D];
  (save as tf.GradSaveFunc)([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy, saved) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, ws.transpose()), tf.matMul(xs.transpose(), dy)];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

function pointwise(x: tf.Tensor4D, c: ConvBn): tf.Tensor4D {
  const [n, h, w, channels] = x.shape;
  const { kernel, bias } = folded(c);
  const y = matMul(x.reshape([n * h * w, channels]), kernel as tf.Tensor2D).add(bias);
  return y.reshape([n, h, w, -1]);
}

/** 3×3 depthwise convolution, stride 1, 'same' padding, as nine shifted products. */
function depthwise(x: tf.Tensor4D, c: ConvBn): tf.Tensor4D {
  const [n, h, w, channels] = x.shape;
  const { kernel, bias } = folded(c);
  const padded = x.pad([
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]);
  let sum: tf.Tensor4D | undefined;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const tap = kernel.slice([i, j, 0], [1, 1, channels]).reshape([channels]);
      const term = padded.slice([0, i, j, 0], [n, h, w, channels]).mul<tf.Tensor4D>(tap);
      sum = sum ? sum.add<tf.Tensor4D>(term) : term;
    }
  }
  return sum!.add(bias);
}

/** Pooled 1280-d features of a batch of tail-input activations [n, h, w, c]. */
export function tailFeatures(tail: Tail, x: tf.Tensor4D): tf.Tensor2D {
  let h = x;
  for (const block of tail.blocks) {
    let y = tf.relu6(pointwise(h, block.expand));
    y = tf.relu6(depthwise(y, block.depthwise));
    y = pointwise(y, block.project);
    h = block.residual ? h.add<tf.Tensor4D>(y) : y;
  }
  return tf.relu6(pointwise(h, tail.top)).mean([1, 2]);
}

/** Pooled features of activation rows through the (frozen) tail, in batches. */
export function pooledFeatures(tail: Tail, rows: Float32Array, batchSize = 64): Float32Array {
  const [h, w, c] = tail.inputShape;
  const per = h * w * c;
  const n = rows.length / per;
  const out = new Float32Array(n * FEATURE_SIZE);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const features = tf.tidy(() =>
      tailFeatures(
        tail,
        tf.tensor4d(rows.subarray(start * per, (start + count) * per), [count, h, w, c]),
      ).dataSync(),
    );
    out.set(features, start * FEATURE_SIZE);
  }
  return out;
}
