/**
 * loadPackModel with the pack's unknown-detection layer: both layers executors (fused, and the
 * stock TF.js layers model from its own chunk) return that layer's output from the same pass,
 * equal to what the TF.js model itself computes there.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPackModel } from './pack-model';

const SIZE = 16;
const LABELS = 3;

/** A small convolutional classifier as a pack holds it: model.json and one weight file. */
async function smallPack() {
  const input = tf.input({ shape: [SIZE, SIZE, 3], name: 'image' });
  let x = tf.layers
    .conv2d({ name: 'conv', filters: 6, kernelSize: 3, strides: 2, activation: 'relu' })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'features' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ name: 'predictions', units: LABELS, activation: 'softmax' })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((a) => {
      artifacts = a;
      return Promise.resolve({
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
      });
    }),
  );
  const modelJson = {
    format: 'layers-model',
    modelTopology: artifacts!.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts!.weightSpecs }],
  };
  const weightData = artifacts!.weightData as ArrayBuffer;
  const features = tf.model({ inputs: input, outputs: model.getLayer('features').output });
  return { model, features, modelJson, weightFiles: () => ({ 'weights.bin': weightData }) };
}

describe('loadPackModel with a feature layer', () => {
  let pack: Awaited<ReturnType<typeof smallPack>>;
  const photo = Float32Array.from({ length: SIZE * SIZE * 3 }, (_, i) => Math.sin(i) * 0.9);

  beforeAll(async () => {
    await tf.setBackend('cpu');
    pack = await smallPack();
  });

  for (const executor of ['fused', 'layers'] as const) {
    it(`the ${executor} executor returns the probabilities and that layer's output of one pass`, async () => {
      const loaded = await loadPackModel(pack.modelJson, pack.weightFiles(), {
        executor,
        labelCount: LABELS,
        featureLayer: 'features',
      });
      expect(loaded.executor).toBe(executor);
      const out = await loaded.predict(photo);
      loaded.dispose();
      const x = tf.tensor4d(photo, [1, SIZE, SIZE, 3]);
      const probabilities = (pack.model.predict(x) as tf.Tensor).dataSync();
      const features = (pack.features.predict(x) as tf.Tensor).dataSync();
      expect(out.features).toBeDefined();
      expect(out.features!.length).toBe(6);
      Array.from(out.features!).forEach((v, i) => expect(v).toBeCloseTo(features[i]!, 4));
      Array.from(out.probabilities).forEach((p, i) => expect(p).toBeCloseTo(probabilities[i]!, 4));
    });
  }

  it('names a feature layer the model does not have', async () => {
    await expect(
      loadPackModel(pack.modelJson, pack.weightFiles(), {
        executor: 'layers',
        labelCount: LABELS,
        featureLayer: 'no-such-layer',
      }),
    ).rejects.toThrow(/no-such-layer/);
  });
});
