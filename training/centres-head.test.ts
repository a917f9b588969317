import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { unknownDistance } from '../shared/decision';
import { initBackend } from './backend';
import { centresHead } from './centres-head';
import { seededRandom } from './dataset';
import { DEFAULT_HEAD, predictHead } from './head';
import { flatten, rowsOf } from './linalg';
import { fitWhitening, whiten } from './unknown';

beforeAll(async () => {
  await initBackend();
});

/** Three overlapping classes in 6 dimensions: class c is centred at 1.5·c on axis c, noise 1. */
function rows(n: number, seed: number) {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const x = new Float32Array(n * 6);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < 6; j++) x[i * 6 + j] = gauss() + (j === y[i] ? 1.5 * y[i]! : 0);
  }
  return { x, y };
}

const train = rows(300, 1);
/** The whitening the head is built on (needs the backend, so not at import time). */
function fitted() {
  const w = fitWhitening(train.x, train.y, 3, 6, 6, 0.05);
  return { w, z: (x: Float32Array) => flatten(whiten(w, x, 6), 6) };
}

describe('centresHead', () => {
  it('ranks classes by the whitened distance to their centre, with unsaturated probabilities', () => {
    const before = tf.memory().numTensors;
    const { w, z } = fitted();
    const detector = {
      method: 'nearest-centre' as const,
      layer: 'unknown_embedding',
      centres: w.centres.map((c) => Array.from(c)),
      scale: Array.from(w.scale),
      threshold: Infinity,
    };
    const head = centresHead(w, { x: z(train.x), y: train.y }, 3, DEFAULT_HEAD);
    const test = rows(90, 2);
    const probabilities = rowsOf(predictHead(head, z(test.x)), 3);
    whiten(w, test.x, 6).forEach((row, i) => {
      // The nearest centre, measured as the app's unknown detector measures it.
      const distances = w.centres.map((_, c) =>
        unknownDistance(row, { ...detector, centres: [detector.centres[c]!] }),
      );
      const p = Array.from(probabilities[i]!);
      expect(p.indexOf(Math.max(...p))).toBe(distances.indexOf(Math.min(...distances)));
    });
    // Overlapping classes: some photos are genuinely in between, and the head says so.
    const top = probabilities.map((p) => Math.max(...p));
    expect(Math.min(...top)).toBeLessThan(0.7);
    expect(Math.max(...top)).toBeGreaterThan(0.9);
    head.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  });

  it('reads only the leading coordinates it is given', () => {
    const { w, z } = fitted();
    const head = centresHead(w, { x: z(train.x), y: train.y }, 3, {
      ...DEFAULT_HEAD,
      centresDims: 2,
    });
    const kernel = head.getLayer('predictions').getWeights()[0]!.arraySync() as number[][];
    expect(
      kernel
        .slice(0, 2)
        .flat()
        .some((v) => v !== 0),
    ).toBe(true);
    expect(
      kernel
        .slice(2)
        .flat()
        .every((v) => v === 0),
    ).toBe(true);
    head.dispose();
  });
});
