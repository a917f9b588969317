/** The new classification head on pooled backbone features, trained with early stopping on the validation fish. */
import * as tf from '@tensorflow/tfjs';
import { seededRandom, shuffleInPlace } from './dataset';
import { median } from './linalg';
import { FEATURE_SIZE } from './mobilenet-v2';

export interface HeadOptions {
  /**
   * `softmax`: a dense softmax layer trained by gradient descent (with early stopping);
   * `centres`: the nearest-centre rule in the whitened coordinates, computed (centres-head.ts).
   */
  kind: 'softmax' | 'centres';
  /**
   * `centres` only: how many leading principal coordinates the head reads (default all). The
   * unknown detector keeps reading all of them: it separates other fish and non-fish better in
   * more dimensions than the species are told apart in.
   */
  centresDims?: number | undefined;
  /** Hidden units before the softmax; 0 = a single dense softmax layer. */
  hidden: number;
  /**
   * Heads trained apart (each its own start, row order, dropout and early stopping) and shipped
   * as one: averaging their logits is one head with every member's hidden units side by side and
   * their output kernels stacked and divided by the count (default 1).
   */
  members?: number | undefined;
  dropout: number;
  l2: number;
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  patience: number;
  /**
   * Seeds the initial weights and the order of the rows in each epoch, so the same data gives the
   * same head. Dropout stays random: a seeded TF.js dropout draws the same mask at every step.
   */
  seed?: number | undefined;
}

export const DEFAULT_HEAD: HeadOptions = {
  kind: 'softmax',
  hidden: 0,
  dropout: 0.3,
  l2: 1e-3,
  learningRate: 1e-3,
  batchSize: 32,
  maxEpochs: 80,
  patience: 10,
};

/** Labelled rows: `x` holds n rows of features (1280 pooled floats, or tail activations), `y` each row's label index. */
export interface FeatureRows {
  x: Float32Array;
  y: Int32Array;
}

/** Creates the head layers (fixed names, so weights move between the head model and the full pack model). */
export function headLayers(classes: number, options: HeadOptions): tf.layers.Layer[] {
  const regularizer = options.l2 > 0 ? tf.regularizers.l2({ l2: options.l2 }) : undefined;
  const layers: tf.layers.Layer[] = [
    tf.layers.dropout({ rate: options.dropout, name: 'head_dropout' }),
  ];
  if (options.hidden > 0) {
    layers.push(
      tf.layers.dense({
        units: options.hidden * (options.members ?? 1),
        activation: 'relu',
        name: 'head_hidden',
        kernelRegularizer: regularizer,
        kernelInitializer: initializer(options.seed),
      }),
    );
    layers.push(tf.layers.dropout({ rate: options.dropout, name: 'head_hidden_dropout' }));
  }
  layers.push(
    tf.layers.dense({
      units: classes,
      activation: 'softmax',
      name: 'predictions',
      kernelRegularizer: regularizer,
      kernelInitializer: initializer(options.seed === undefined ? undefined : options.seed + 1),
    }),
  );
  return layers;
}

/** Keras's default kernel initializer, seeded when a seed is given. */
function initializer(seed: number | undefined) {
  return tf.initializers.glorotUniform(seed === undefined ? {} : { seed });
}

/** Applies layers in order to a symbolic tensor. */
export function applyLayers(
  input: tf.SymbolicTensor,
  layers: tf.layers.Layer[],
): tf.SymbolicTensor {
  return layers.reduce((x, layer) => layer.apply(x) as tf.SymbolicTensor, input);
}

/** Builds a head model from 1280-d features to class probabilities. */
export function buildHead(
  classes: number,
  options: HeadOptions,
  inputSize = FEATURE_SIZE,
): tf.LayersModel {
  const input = tf.input({ shape: [inputSize], name: 'features' });
  const model = tf.model({
    inputs: input,
    outputs: applyLayers(input, headLayers(classes, options)),
    name: 'head',
  });
  model.compile({
    optimizer: tf.train.adam(options.learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

/** One epoch over the rows: in a seeded order when `options.seed` is set, else TF.js's shuffle. */
async function fitEpoch(
  head: tf.LayersModel,
  xs: tf.Tensor2D,
  ys: tf.Tensor,
  options: HeadOptions,
  epoch: number,
  classWeight: Record<number, number>,
): Promise<tf.History> {
  const args = { epochs: 1, batchSize: options.batchSize, classWeight, verbose: 0 as const };
  if (options.seed === undefined) return head.fit(xs, ys, { ...args, shuffle: true });
  const random = seededRandom((options.seed * 7919 + epoch) >>> 0);
  const order = shuffleInPlace(
    Int32Array.from({ length: xs.shape[0] }, (_, i) => i),
    random,
  );
  const [x, y] = tf.tidy(() => [tf.gather(xs, order), tf.gather(ys, order)]);
  try {
    return await head.fit(x, y, { ...args, shuffle: false });
  } finally {
    tf.dispose([x, y]);
  }
}

/** Class weights that make every class count equally in the loss, whatever its frame count. */
export function balancedClassWeights(y: Int32Array, classes: number): Record<number, number> {
  const counts = new Array<number>(classes).fill(0);
  for (const label of y) counts[label]!++;
  const weights: Record<number, number> = {};
  counts.forEach((c, i) => (weights[i] = c === 0 ? 0 : y.length / (classes * c)));
  return weights;
}

/** Class probabilities of the head for feature rows. */
export function predictHead(head: tf.LayersModel, x: Float32Array): Float32Array {
  const size = head.inputs[0]!.shape[1] ?? FEATURE_SIZE;
  return tf.tidy(
    () =>
      (
        head.predict(tf.tensor2d(x, [x.length / size, size])) as tf.Tensor
      ).dataSync() as Float32Array,
  );
}

/** Mean cross-entropy and top-1 accuracy of class probabilities (rows × classes) against labels. */
export function scoreProbabilities(
  probabilities: Float32Array,
  y: Int32Array,
  classes: number,
): { loss: number; top1: number } {
  let sum = 0;
  let correct = 0;
  for (let i = 0; i < y.length; i++) {
    sum -= Math.log(Math.max(1e-7, probabilities[i * classes + y[i]!]!));
    if (argmax(probabilities, i, classes) === y[i]) correct++;
  }
  return { loss: sum / y.length, top1: correct / y.length };
}

export interface EpochReport {
  epoch: number;
  loss: number;
  validationLoss: number;
  validationTop1: number;
}

/**
 * Trains the head; keeps the weights of the epoch with the lowest validation loss and stops after
 * `patience` epochs without improvement. Without validation rows, trains `maxEpochs` epochs.
 */
export async function trainHead(
  train: FeatureRows,
  validation: FeatureRows | undefined,
  classes: number,
  options: HeadOptions,
  onEpoch?: (report: EpochReport) => void,
  inputSize = FEATURE_SIZE,
): Promise<{ head: tf.LayersModel; bestEpoch: number; epochs: number }> {
  const count = options.members ?? 1;
  if (count <= 1) return trainMember(train, validation, classes, options, onEpoch, inputSize);
  const fits: Awaited<ReturnType<typeof trainMember>>[] = [];
  try {
    for (let m = 0; m < count; m++) {
      const seed = options.seed === undefined ? undefined : options.seed + MEMBER_SEED_STEP * m;
      const member = { ...options, members: 1, seed };
      fits.push(await trainMember(train, validation, classes, member, onEpoch, inputSize));
    }
    const head = buildHead(classes, options, inputSize);
    const weights = mergeMembers(fits.map((f) => f.head));
    head.setWeights(weights);
    tf.dispose(weights);
    head.optimizer.dispose();
    return {
      head,
      bestEpoch: median(fits.map((f) => f.bestEpoch)),
      epochs: Math.max(...fits.map((f) => f.epochs)),
    };
  } finally {
    for (const f of fits) f.head.dispose();
  }
}

/** Far apart, so member m's seeds (start, row order: seed, seed + 1, seed * 7919 + epoch) differ. */
const MEMBER_SEED_STEP = 1000;

/**
 * The weights of one head whose logits are the mean of the members' logits: hidden kernels and
 * biases side by side, output kernels stacked and divided by the count, output biases averaged
 * (a linear head: kernels and biases averaged).
 */
export function mergeMembers(members: tf.LayersModel[]): tf.Tensor[] {
  const n = members.length;
  return tf.tidy(() => {
    const weights = members.map((m) => m.getWeights());
    /** Weight i of every member, in member order. */
    const each = (i: number): tf.Tensor[] => weights.map((w) => w[i]!);
    const mean = (i: number): tf.Tensor => tf.addN(each(i)).div(n);
    if (weights[0]!.length === 2) return [mean(0), mean(1)];
    return [tf.concat(each(0), 1), tf.concat(each(1), 0), tf.concat(each(2), 0).div(n), mean(3)];
  });
}

/** One head, trained as `trainHead` describes. */
async function trainMember(
  train: FeatureRows,
  validation: FeatureRows | undefined,
  classes: number,
  options: HeadOptions,
  onEpoch?: (report: EpochReport) => void,
  inputSize = FEATURE_SIZE,
): Promise<{ head: tf.LayersModel; bestEpoch: number; epochs: number }> {
  const head = buildHead(classes, options, inputSize);
  const n = train.y.length;
  const xs = tf.tensor2d(train.x, [n, inputSize]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(train.y, 'int32'), classes).toFloat());
  const classWeight = balancedClassWeights(train.y, classes);
  let best = { loss: Infinity, epoch: 0, weights: [] as tf.Tensor[] };
  let epochsRun = 0;
  try {
    for (let epoch = 1; epoch <= options.maxEpochs; epoch++) {
      epochsRun = epoch;
      const history = await fitEpoch(head, xs, ys, options, epoch, classWeight);
      const loss = Number(history.history.loss?.[0] ?? NaN);
      if (!validation) {
        onEpoch?.({ epoch, loss, validationLoss: NaN, validationTop1: NaN });
        continue;
      }
      const score = scoreProbabilities(predictHead(head, validation.x), validation.y, classes);
      const validationLoss = score.loss;
      onEpoch?.({ epoch, loss, validationLoss, validationTop1: score.top1 });
      if (validationLoss < best.loss) {
        tf.dispose(best.weights);
        best = { loss: validationLoss, epoch, weights: head.getWeights().map((w) => w.clone()) };
      } else if (epoch - best.epoch >= options.patience) break;
    }
  } finally {
    tf.dispose([xs, ys]);
  }
  if (best.weights.length > 0) {
    head.setWeights(best.weights);
    tf.dispose(best.weights);
  }
  // The optimizer is ours (LayersModel#dispose leaves optimizers it did not create): free its slots.
  head.optimizer.dispose();
  return { head, bestEpoch: validation ? best.epoch : options.maxEpochs, epochs: epochsRun };
}

/** Index of the largest value in row `row` of a row-major matrix with `width` columns. */
export function argmax(values: Float32Array, row: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++)
    if (values[row * width + j]! > values[row * width + best]!) best = j;
  return best;
}
