import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MOBILENET_V2_PREPROCESSING } from '../shared/pack';
import { preprocess } from '../shared/preprocess';
import { initBackend } from './backend';
import { decodeImageFile } from './decode';
import { listImageSet } from './dataset';
import { embed, loadBackbone } from './features';
import { BACKBONE_DIR, DEFAULT_NPY_DIR } from './import-backbone';
import { buildMobileNetV2Backbone, kerasWeightName, slimTensorName } from './mobilenet-v2';

const FIXTURES = 'tests/fixtures/fish';

beforeAll(async () => {
  await initBackend();
});

/** Between-class over within-class distance of centred, L2-normalised features (higher = species separate better). */
function separation(features: Float32Array[], labels: string[]): number {
  // Centre on the mean feature first: pooled ReLU features share a large common component.
  const mean = new Float32Array(features[0]!.length);
  for (const f of features) f.forEach((v, i) => (mean[i]! += v / features.length));
  const unit = features.map((f) => {
    const centred = f.map((v, i) => v - mean[i]!);
    const norm = Math.hypot(...centred) || 1;
    return centred.map((v) => v / norm);
  });
  const dist = (a: Float32Array, b: Float32Array) => Math.hypot(...a.map((v, i) => v - b[i]!));
  let within = 0;
  let withinN = 0;
  let between = 0;
  let betweenN = 0;
  for (let i = 0; i < unit.length; i++) {
    for (let j = i + 1; j < unit.length; j++) {
      const d = dist(unit[i]!, unit[j]!);
      if (labels[i] === labels[j]) {
        within += d;
        withinN++;
      } else {
        between += d;
        betweenN++;
      }
    }
  }
  return between / betweenN / (within / withinN);
}

describe('MobileNetV2 backbone', () => {
  it('has the 2,257,984 parameters of Keras MobileNetV2 1.0 without top', () => {
    const model = buildMobileNetV2Backbone();
    expect(model.countParams()).toBe(2_257_984);
    expect(model.outputs[0]!.shape).toEqual([null, 1280]);
    model.dispose();
  });

  it('maps every Keras weight to a distinct TF-slim tensor name', () => {
    const model = buildMobileNetV2Backbone();
    const names = model.layers.flatMap((l) =>
      l.weights.map((w) => slimTensorName(kerasWeightName(l.name, w.originalName))),
    );
    expect(names).toHaveLength(260);
    expect(new Set(names).size).toBe(260);
    expect(names).toContain('expanded_conv_16_project_BatchNorm_moving_variance');
    expect(names).toContain('expanded_conv_depthwise_depthwise_weights');
    model.dispose();
  });

  it.skipIf(!existsSync(DEFAULT_NPY_DIR))(
    'uses every .npy tensor of the checkpoint exactly once (except the ImageNet logits)',
    async () => {
      const files = (await readdir(DEFAULT_NPY_DIR))
        .filter((f) => f.endsWith('.npy'))
        .map((f) => f.slice(0, -4));
      const model = buildMobileNetV2Backbone();
      const names = model.layers.flatMap((l) =>
        l.weights.map((w) => slimTensorName(kerasWeightName(l.name, w.originalName))),
      );
      expect([...names].sort()).toEqual(files.filter((f) => !f.startsWith('Logits')).sort());
      model.dispose();
    },
  );

  it('separates fixture species far better with the ImageNet weights than with the same weights shuffled', async () => {
    const backbone = await loadBackbone(BACKBONE_DIR);
    const set = await listImageSet(FIXTURES);
    const size = { width: 224, height: 224 };
    const inputs = await Promise.all(
      set.images.map(async (i) =>
        preprocess(
          await decodeImageFile(i.file),
          { ...MOBILENET_V2_PREPROCESSING, resize: 'stretch' },
          size,
        ),
      ),
    );
    const labels = set.images.map((i) => i.label);
    const split = (all: Float32Array) => labels.map((_, i) => all.slice(i * 1280, (i + 1) * 1280));
    const imported = separation(split(embed(backbone.model, inputs, size)), labels);
    // Same architecture and the same numbers per tensor, in a random order.
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    backbone.model.layers.forEach((layer) => {
      if (layer.weights.length === 0) return;
      const shuffled = layer.getWeights().map((w) => {
        const values = Float32Array.from(w.dataSync());
        for (let i = values.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [values[i], values[j]] = [values[j]!, values[i]!];
        }
        return tf.tensor(values, w.shape);
      });
      layer.setWeights(shuffled);
      tf.dispose(shuffled);
    });
    const shuffled = separation(split(embed(backbone.model, inputs, size)), labels);
    backbone.model.dispose();
    expect(imported).toBeGreaterThan(1.1);
    expect(imported - 1).toBeGreaterThan(4 * (shuffled - 1));
  }, 180_000);

  it('runs the committed weights on another input size (--input)', async () => {
    const [square, wide] = await Promise.all([
      loadBackbone(BACKBONE_DIR),
      loadBackbone(BACKBONE_DIR, { width: 320, height: 160 }),
    ]);
    expect(square.model.inputs[0]!.shape).toEqual([null, 224, 224, 3]);
    expect(wide.model.inputs[0]!.shape).toEqual([null, 160, 320, 3]);
    const a = square.model.weights;
    const b = wide.model.weights;
    expect(b.map((w) => w.originalName)).toEqual(a.map((w) => w.originalName));
    a.forEach((w, i) => expect(b[i]!.read().dataSync()).toEqual(w.read().dataSync()));
    const image = await decodeImageFile(
      (await listImageSet(FIXTURES)).images[0]!.file,
      MOBILENET_V2_PREPROCESSING.exifOrientation,
    );
    const size = { width: 320, height: 160 };
    const features = embed(wide.model, [preprocess(image, MOBILENET_V2_PREPROCESSING, size)], size);
    expect(features).toHaveLength(1280);
    expect(features.every(Number.isFinite)).toBe(true);
    square.model.dispose();
    wide.model.dispose();
  }, 180_000);

  it('stays at one TF.js tensor count across feature extraction', async () => {
    const backbone = await loadBackbone(BACKBONE_DIR);
    const input = new Float32Array(224 * 224 * 3);
    embed(backbone.model, [input], { width: 224, height: 224 });
    const before = tf.memory().numTensors;
    embed(backbone.model, [input, input], { width: 224, height: 224 });
    expect(tf.memory().numTensors).toBe(before);
    backbone.model.dispose();
  }, 180_000);
});
