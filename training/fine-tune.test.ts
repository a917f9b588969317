import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { type Backbone, loadBackbone } from './features';
import { DEFAULT_FINE_TUNE, fineTune } from './fine-tune';
import {
  disposeTail,
  pooledFeatures,
  readTail,
  tailFeatures,
  tailInputLayer,
  writeTail,
} from './tail';
import { seededRandom } from './dataset';
import { buildHead, DEFAULT_HEAD } from './head';
import { BACKBONE_DIR } from './import-backbone';
import { FEATURE_SIZE } from './mobilenet-v2';

let backbone: Backbone;

beforeAll(async () => {
  await initBackend();
  backbone = await loadBackbone(BACKBONE_DIR);
}, 60_000);

/** The backbone from the tail's input layer to the pooled features, as the layers model computes it. */
function layersTail(model: tf.LayersModel, blocks: number): tf.LayersModel {
  const input = model.getLayer(tailInputLayer(blocks));
  const start = model.layers.indexOf(input);
  const x = tf.input({ shape: input.outputShape.slice(1) as number[] });
  const outputs = new Map<string, tf.SymbolicTensor>([[input.name, x]]);
  for (const layer of model.layers.slice(start + 1)) {
    const inbound = layer.inboundNodes[0]!.inboundLayers.map((l) => outputs.get(l.name)!);
    outputs.set(
      layer.name,
      layer.apply(inbound.length === 1 ? inbound[0]! : inbound) as tf.SymbolicTensor,
    );
  }
  return tf.model({ inputs: x, outputs: outputs.get(model.layers.at(-1)!.name)! });
}

/** Activations like the backbone's: non-negative with some exact zeros, fixed seed. */
function activations(n: number, shape: number[]): tf.Tensor4D {
  return tf.tidy(() =>
    tf
      .randomNormal([n, ...shape], 0.3, 1, 'float32', 7)
      .relu()
      .as4D(n, shape[0]!, shape[1]!, shape[2]!),
  );
}

describe('fine-tuning the last blocks', () => {
  it('names the layer that feeds the first tuned block, and only for the 7×7 stage', () => {
    expect(tailInputLayer(1)).toBe('block_15_add');
    expect(tailInputLayer(2)).toBe('block_14_add');
    expect(tailInputLayer(3)).toBe('block_13_project_BN');
    expect(() => tailInputLayer(0)).toThrow(RangeError);
    expect(() => tailInputLayer(4)).toThrow(RangeError);
    for (const blocks of [1, 2, 3])
      expect(backbone.model.getLayer(tailInputLayer(blocks)).outputShape).toEqual([
        null,
        7,
        7,
        160,
      ]);
  });

  it.each([1, 3])('computes the same pooled features as the layers model (%i blocks)', (blocks) => {
    const tail = readTail(backbone.model, blocks);
    const reference = layersTail(backbone.model, blocks);
    const x = activations(4, tail.inputShape);
    const ours = tf.tidy(() => tailFeatures(tail, x).arraySync());
    const theirs = tf.tidy(() => (reference.predict(x) as tf.Tensor).arraySync()) as number[][];
    expect(ours[0]).toHaveLength(FEATURE_SIZE);
    const scale = Math.max(...theirs.flat().map(Math.abs));
    expect(scale).toBeGreaterThan(0.1);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < FEATURE_SIZE; j++)
        expect(Math.abs(ours[i]![j]! - theirs[i]![j]!)).toBeLessThan(1e-4 * scale);
    x.dispose();
    disposeTail(tail);
  });

  it('writes tuned weights back so the layers model computes what the tail computed', async () => {
    const model = await loadBackbone(BACKBONE_DIR);
    const tail = readTail(model.model, 2);
    const x = activations(3, tail.inputShape);
    const before = tf.tidy(() => tailFeatures(tail, x).dataSync());
    // Change every tuned variable, as training would.
    tf.tidy(() => {
      tail.variables.forEach((v, i) =>
        v.assign(v.add(tf.randomNormal(v.shape, 0, 0.05, 'float32', i)).mul(1.1)),
      );
    });
    const tuned = tf.tidy(() => tailFeatures(tail, x).dataSync());
    writeTail(tail, model.model);
    const reference = layersTail(model.model, 2);
    const written = tf.tidy(() => (reference.predict(x) as tf.Tensor).dataSync());
    let changed = 0;
    let worst = 0;
    const scale = Math.max(...Array.from(tuned, Math.abs));
    for (let i = 0; i < tuned.length; i++) {
      changed = Math.max(changed, Math.abs(tuned[i]! - before[i]!));
      worst = Math.max(worst, Math.abs(tuned[i]! - written[i]!));
    }
    expect(changed).toBeGreaterThan(0.01 * scale);
    expect(worst).toBeLessThan(1e-4 * scale);
    // Batch-norm statistics and gamma are kept; only the kernel and beta move.
    const [gamma, , mean] = model.model.getLayer('Conv_1_bn').getWeights();
    const [gamma0, , mean0] = backbone.model.getLayer('Conv_1_bn').getWeights();
    expect(Array.from(gamma!.dataSync())).toEqual(Array.from(gamma0!.dataSync()));
    expect(Array.from(mean!.dataSync())).toEqual(Array.from(mean0!.dataSync()));
    x.dispose();
    disposeTail(tail);
  });

  it('trains the tail and the head on separable data, and keeps the best epoch', async () => {
    const classes = 3;
    const tail = readTail(backbone.model, 1);
    const [h, w, c] = tail.inputShape;
    const per = h * w * c;
    // Three classes whose activations differ in which channels are lit up.
    const make = (n: number, seed: number) => {
      const random = seededRandom(seed);
      const x = new Float32Array(n * per);
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        y[i] = i % classes;
        for (let k = 0; k < per; k++) {
          const channel = k % c;
          const lit = Math.floor(channel / (c / classes)) === y[i];
          x[i * per + k] = Math.max(0, random() - 0.5 + (lit ? 0.6 : 0));
        }
      }
      return { x, y };
    };
    const train = make(24, 1);
    const validation = make(12, 2);
    const head = buildHead(classes, { ...DEFAULT_HEAD, dropout: 0 });
    const kernelBefore = tail.top.kernel.clone();
    const epochs: number[] = [];
    const result = await fineTune(
      tail,
      head,
      train,
      validation,
      classes,
      {
        ...DEFAULT_FINE_TUNE,
        headLearningRate: 1e-3,
        l2: 0,
        batchSize: 8,
        maxEpochs: 4,
        classWeight: { 0: 1, 1: 1, 2: 1 },
      },
      (r) => epochs.push(r.validationLoss),
      seededRandom(3),
    );
    expect(result.epochs).toBe(4);
    expect(result.bestEpoch).toBeGreaterThan(0);
    // The kept weights are those of the best epoch: the validation loss now equals its report.
    const p = tf.tidy(() => {
      const pooled = pooledFeatures(tail, validation.x);
      return (
        head.predict(tf.tensor2d(pooled, [validation.y.length, FEATURE_SIZE])) as tf.Tensor
      ).dataSync();
    });
    let loss = 0;
    validation.y.forEach((label, i) => (loss -= Math.log(Math.max(1e-7, p[i * classes + label]!))));
    expect(loss / validation.y.length).toBeCloseTo(epochs[result.bestEpoch - 1]!, 4);
    expect(epochs[result.bestEpoch - 1]).toBeLessThan(result.startLoss);
    const moved = tf.tidy(() => tail.top.kernel.sub(kernelBefore).abs().max().dataSync()[0]!);
    expect(moved).toBeGreaterThan(0);
    kernelBefore.dispose();
    disposeTail(tail);
  }, 120_000);
});
