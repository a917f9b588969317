import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFusedGraph, UnsupportedTopologyError } from './fused-graph';
import { savedArtifacts } from '../../tests/support/op-models';

/** A miniature MobileNetV2 block with random BN statistics, saved to artefacts as a pack holds it. */
async function miniMobileNet(): Promise<{
  model: tf.LayersModel;
  artifacts: tf.io.ModelArtifacts;
}> {
  const input = tf.input({ shape: [16, 16, 3], name: 'input_1' });
  const bn = (name: string) => tf.layers.batchNormalization({ name, epsilon: 1e-3 });
  let x = tf.layers
    .conv2d({
      name: 'Conv1',
      filters: 8,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      useBias: false,
    })
    .apply(input) as tf.SymbolicTensor;
  x = bn('bn_Conv1').apply(x) as tf.SymbolicTensor;
  const stem = tf.layers.reLU({ name: 'Conv1_relu', maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .depthwiseConv2d({ name: 'dw', kernelSize: 3, padding: 'same', useBias: false })
    .apply(stem) as tf.SymbolicTensor;
  x = bn('dw_BN').apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'dw_relu', maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ name: 'project', filters: 8, kernelSize: 1, padding: 'same', useBias: false })
    .apply(x) as tf.SymbolicTensor;
  x = bn('project_BN').apply(x) as tf.SymbolicTensor;
  x = tf.layers.add({ name: 'add' }).apply([stem, x]) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ name: 'drop', rate: 0.3 }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ name: 'predictions', units: 4, activation: 'softmax' })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  // Non-trivial BN statistics, or folding them would be a no-op and the test would prove nothing.
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const [gamma, beta, mean, variance] = layer.getWeights();
    layer.setWeights([
      tf.randomUniform(gamma!.shape, 0.5, 1.5, 'float32', 1),
      tf.randomNormal(beta!.shape, 0, 0.5, 'float32', 2),
      tf.randomNormal(mean!.shape, 0, 0.5, 'float32', 3),
      tf.randomUniform(variance!.shape, 0.5, 2, 'float32', 4),
    ]);
  }
  const artifacts = await savedArtifacts(model);
  return { model, artifacts: artifacts };
}

describe('fused executor', () => {
  let model: tf.LayersModel;
  let modelJson: unknown;
  let weights: tf.NamedTensorMap;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const mini = await miniMobileNet();
    model = mini.model;
    modelJson = {
      modelTopology: mini.artifacts.modelTopology,
      weightsManifest: [{ paths: [], weights: mini.artifacts.weightSpecs }],
    };
    weights = tf.io.decodeWeights(mini.artifacts.weightData!, mini.artifacts.weightSpecs!);
  });

  it('gives the same probabilities as the layers model it was built from', () => {
    const graph = buildFusedGraph(modelJson, weights);
    const input = tf.randomUniform<tf.Rank.R4>([1, 16, 16, 3], -1, 1, 'float32', 7);
    const expected = (model.predict(input) as tf.Tensor).dataSync();
    const actual = graph.predict(input).dataSync();
    expect(actual.length).toBe(4);
    for (let i = 0; i < 4; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 5);
    input.dispose();
    graph.dispose();
  });

  it("also returns a layer's output from the same pass, as the layers model computes it", () => {
    const graph = buildFusedGraph(modelJson, weights);
    const input = tf.randomUniform<tf.Rank.R4>([1, 16, 16, 3], -1, 1, 'float32', 8);
    const pooled = tf.model({ inputs: model.inputs, outputs: model.getLayer('gap').output });
    const expected = (pooled.predict(input) as tf.Tensor).dataSync();
    const [probabilities, features] = graph.predictWith(input, 'gap');
    expect(Array.from(probabilities.dataSync())).toEqual(
      Array.from(graph.predict(input).dataSync()),
    );
    expect(features.shape).toEqual([1, 8]);
    features.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    expect(() => graph.predictWith(input, 'nowhere')).toThrow(UnsupportedTopologyError);
    tf.dispose([input, probabilities, features]);
    graph.dispose();
  });

  it('folds BatchNormalization and ReLU into the convolutions', () => {
    const before = tf.memory().numTensors;
    const graph = buildFusedGraph(modelJson, weights);
    const spy = { fusedConv: 0 };
    const input = tf.zeros<tf.Rank.R4>([1, 16, 16, 3]);
    const profile = tf.profile(() => graph.predict(input));
    return profile.then((info) => {
      const kernels = info.kernels.map((k) => k.name);
      spy.fusedConv = kernels.filter(
        (k) => k === 'FusedConv2D' || k === 'FusedDepthwiseConv2D',
      ).length;
      expect(spy.fusedConv).toBe(3);
      expect(kernels).not.toContain('FusedBatchNorm');
      expect(kernels).not.toContain('Relu6');
      tf.dispose(info.result);
      input.dispose();
      graph.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('leaves the tensor count flat over many predictions and after dispose', () => {
    const before = tf.memory().numTensors;
    const graph = buildFusedGraph(modelJson, weights);
    const afterBuild = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      tf.tidy(() => graph.predict(tf.zeros<tf.Rank.R4>([1, 16, 16, 3]))).dispose();
    }
    expect(tf.memory().numTensors).toBe(afterBuild);
    graph.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a topology it does not know, so the caller can fall back', () => {
    const json = structuredClone(modelJson) as {
      modelTopology: { config: { layers: { class_name: string }[] } };
    };
    json.modelTopology.config.layers[1]!.class_name = 'SeparableConv2D';
    expect(() => buildFusedGraph(json, weights)).toThrow(UnsupportedTopologyError);
  });
});
