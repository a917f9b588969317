import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MOBILENET_V2_PREPROCESSING, type Preprocessing } from '../shared/pack';
import { preprocess } from '../shared/preprocess';
import { augmentedView } from './augment';
import { initBackend } from './backend';
import { fishKeyOf, splitByFish, type ImageSet } from './dataset';
import { toFloat16, toFloat16Bits } from './float16';
import { trainHead, DEFAULT_HEAD } from './head';
import { evaluatePredictions } from './metrics';
import { parseNpy } from './npy';

beforeAll(async () => {
  await initBackend();
});

function npy(shape: number[], values: number[]): Uint8Array {
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const padded = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, ' ') + '\n';
  const out = new Uint8Array(10 + padded.length + values.length * 4);
  out.set([0x93, ...'NUMPY'.split('').map((c) => c.charCodeAt(0)), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, padded.length, true);
  out.set(new TextEncoder().encode(padded), 10);
  new Uint8Array(out.buffer, 10 + padded.length).set(
    new Uint8Array(new Float32Array(values).buffer),
  );
  return out;
}

describe('npy', () => {
  it('reads shape and float32 values', () => {
    const parsed = parseNpy(npy([2, 3], [1, 2, 3, 4, 5, 6.5]));
    expect(parsed.shape).toEqual([2, 3]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4, 5, 6.5]);
  });

  it('rejects other dtypes and truncated data', () => {
    const bytes = npy([4], [1, 2, 3, 4]);
    expect(() => parseNpy(bytes.subarray(0, bytes.length - 4))).toThrow(/length/);
    const f8 = new TextDecoder('latin1').decode(bytes).replace('<f4', '<f8');
    expect(() => parseNpy(Uint8Array.from(f8, (c) => c.charCodeAt(0)))).toThrow(/dtype/);
  });
});

describe('float16', () => {
  it('encodes exact halves, rounds to nearest, saturates to infinity', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(0.5)).toBe(0x3800);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(0)).toBe(0);
    expect(toFloat16Bits(5.960464477539063e-8)).toBe(1);
    expect(toFloat16Bits(1 + 1 / 2048)).toBe(0x3c00); // tie → even
  });

  it('round-trips through TF.js float16 weight decoding within half precision', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3);
    const decoded = tf.io.decodeWeights(toFloat16(values).buffer as ArrayBuffer, [
      { name: 'w', shape: [1000], dtype: 'float32', quantization: { dtype: 'float16' } },
    ]);
    const back = decoded.w!.dataSync();
    for (let i = 0; i < values.length; i++)
      expect(Math.abs(back[i]! - values[i]!)).toBeLessThanOrEqual(
        Math.abs(values[i]!) / 1024 + 1e-7,
      );
    tf.dispose(decoded.w!);
  });
});

describe('augmented views', () => {
  const size = { width: 32, height: 32 };
  // A murky photo: brightness 90–150 of 255 across it.
  const width = 48;
  const data = new Uint8Array(width * 40 * 4);
  for (let p = 0; p < width * 40; p++) {
    const v = 90 + Math.round((60 * (p % width)) / (width - 1));
    data.set([v - 8, v + 8, v, 255], p * 4);
  }
  const photo = { width, height: 40, data };
  const stretching: Preprocessing = {
    ...MOBILENET_V2_PREPROCESSING,
    resize: 'stretch',
    stretchContrast: true,
  };
  const brightnessRange = (input: Float32Array) => {
    const luma = Array.from(
      { length: input.length / 3 },
      (_, p) => 0.299 * input[p * 3]! + 0.587 * input[p * 3 + 1]! + 0.114 * input[p * 3 + 2]!,
    ).sort((a, b) => a - b);
    return luma[Math.floor(0.99 * (luma.length - 1))]! - luma[Math.ceil(0.01 * (luma.length - 1))]!;
  };

  it('view 0 is what the app computes; the others are stretched after their light changes, as the app stretches every photo', () => {
    expect(augmentedView(photo, stretching, size, 0, 7)).toEqual(
      preprocess(photo, stretching, size),
    );
    for (const recipe of ['light', 'water'] as const)
      for (let view = 1; view <= 6; view++) {
        const stretched = augmentedView(photo, stretching, size, view, 7, recipe);
        const plain = augmentedView(
          photo,
          { ...stretching, stretchContrast: false },
          size,
          view,
          7,
          recipe,
        );
        // Without the stretch a view keeps the murk (and the jitter's contrast change); with it the
        // brightness spans the whole range (2 in [-1, 1]) or is tripled, whatever the jitter did.
        expect(brightnessRange(plain)).toBeLessThan(0.9);
        expect(brightnessRange(stretched)).toBeGreaterThan(
          0.85 * Math.min(2, 3 * brightnessRange(plain)),
        );
      }
  });
});

describe('dataset', () => {
  it('groups frames by fish: EGU2017 video key, Fish4Knowledge track', () => {
    expect(fishKeyOf('20150413_165229_B562_00408CF4B573_fish1_frame22.png')).toBe(
      '20150413_165229_B562',
    );
    expect(fishKeyOf('fish_000000009598_05281.png')).toBe('track-000000009598');
    expect(fishKeyOf('IMG_1234.jpg')).toBe('IMG_1234');
    expect(fishKeyOf('a-17-3.png', /^a-(\d+)-/)).toBe('17');
  });

  it('never puts frames of one fish on both sides of the split', () => {
    const images = Array.from({ length: 60 }, (_, i) => ({
      file: `f${i}`,
      label: i % 2 ? 'a' : 'b',
      fishKey: `${i % 2 ? 'a' : 'b'}/${i % 10}`,
    }));
    const set: ImageSet = { labels: ['a', 'b'], images };
    const { train, validation } = splitByFish(set, 0.2, 1);
    const trainFish = new Set(train.map((i) => i.fishKey));
    expect(validation.length).toBeGreaterThan(0);
    for (const image of validation) expect(trainFish.has(image.fishKey)).toBe(false);
    expect(new Set(validation.map((i) => i.label))).toEqual(new Set(['a', 'b']));
  });
});

describe('metrics', () => {
  it('counts top-1, top-3, per class and confusion in label order', () => {
    const probabilities = Float32Array.from([0.7, 0.2, 0.1, 0, 0.1, 0.6, 0.3, 0, 0.5, 0.2, 0.3, 0]);
    const evaluation = evaluatePredictions(probabilities, Int32Array.from([0, 2, 3]), [
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(evaluation.top1).toBeCloseTo(1 / 3);
    expect(evaluation.top3).toBeCloseTo(2 / 3);
    expect(evaluation.perClass).toEqual({
      a: { n: 1, top1: 1 },
      c: { n: 1, top1: 0 },
      d: { n: 1, top1: 0 },
    });
    expect(evaluation.confusion[2]).toEqual([0, 1, 0, 0]);
    expect(evaluation.confusion[3]).toEqual([1, 0, 0, 0]);
  });
});

describe('head training', () => {
  const rows = () => {
    const x = new Float32Array(40 * 1280);
    const y = new Int32Array(40);
    for (let i = 0; i < 40; i++) {
      y[i] = i % 2;
      x[i * 1280 + (i % 2)] = 3;
      x[i * 1280 + 2 + (i % 7)] = 1; // noise shared across classes
    }
    return { x, y };
  };

  it('learns separable features and leaves no tensors behind', async () => {
    const { x, y } = rows();
    const before = tf.memory().numTensors;
    const { head } = await trainHead({ x, y }, { x, y }, 2, {
      ...DEFAULT_HEAD,
      learningRate: 0.01,
      dropout: 0,
      maxEpochs: 20,
      patience: 20,
      seed: 1,
    });
    const predicted = tf.tidy(() =>
      (head.predict(tf.tensor2d(x, [40, 1280])) as tf.Tensor).argMax(1).dataSync(),
    );
    expect(Array.from(predicted)).toEqual(Array.from(y));
    head.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  });

  it('gives the same head for the same rows and seed (without dropout), another for another seed', async () => {
    const { x, y } = rows();
    const weightsOf = async (seed: number) => {
      const { head } = await trainHead({ x, y }, { x, y }, 2, {
        ...DEFAULT_HEAD,
        dropout: 0,
        batchSize: 8,
        maxEpochs: 3,
        patience: 3,
        seed,
      });
      const values = head.getWeights().map((w) => Array.from(w.dataSync()));
      head.dispose();
      return values;
    };
    const first = await weightsOf(5);
    expect(await weightsOf(5)).toEqual(first);
    expect(await weightsOf(6)).not.toEqual(first);
  });
});
