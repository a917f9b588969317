import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { seededRandom } from './dataset';
import { DEFAULT_HEAD, buildHead, mergeMembers, predictHead, trainHead } from './head';

beforeAll(async () => {
  await initBackend();
});

const INPUT = 5;
const CLASSES = 3;

function randomRows(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n * INPUT }, () => 4 * random() - 2);
}

/** softmax(mean over members of log p): the probabilities of the members' mean logits. */
function meanLogitProbabilities(members: Float32Array[], rows: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const logits = Array.from({ length: CLASSES }, (_, c) => {
      const logs = members.map((p) => Math.log(p[r * CLASSES + c]!));
      return logs.reduce((s, v) => s + v, 0) / members.length;
    });
    const top = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - top));
    const sum = e.reduce((s, v) => s + v, 0);
    out.push(...e.map((v) => v / sum));
  }
  return out;
}

describe('mergeMembers', () => {
  for (const hidden of [0, 4]) {
    it(`makes one head whose output is the members' mean logits (hidden ${hidden})`, () => {
      const options = { ...DEFAULT_HEAD, hidden, seed: 3 };
      const members = [0, 1, 2].map((m) =>
        buildHead(CLASSES, { ...options, seed: 10 * m + 1 }, INPUT),
      );
      const merged = buildHead(CLASSES, { ...options, members: 3 }, INPUT);
      const weights = mergeMembers(members);
      merged.setWeights(weights);
      tf.dispose(weights);
      const x = randomRows(7, 5);
      const memberProbabilities = members.map((m) => predictHead(m, x));
      // Members built from different seeds disagree, so the mean is not any one of them.
      expect(Array.from(memberProbabilities[0]!)).not.toEqual(Array.from(memberProbabilities[1]!));
      const got = Array.from(predictHead(merged, x));
      const want = meanLogitProbabilities(memberProbabilities, 7);
      got.forEach((p, i) => expect(p).toBeCloseTo(want[i]!, 5));
      for (const m of [...members, merged]) m.dispose();
    });
  }
});

describe('trainHead with members', () => {
  it('trains each member apart and returns one head with all their hidden units', async () => {
    const before = tf.memory().numTensors;
    const n = 60;
    const x = randomRows(n, 7);
    // The class is the sign pattern of the first two inputs: learnable, not linear in one input.
    const y = Int32Array.from({ length: n }, (_, i) =>
      x[i * INPUT]! > 0 ? (x[i * INPUT + 1]! > 0 ? 0 : 1) : 2,
    );
    const options = { ...DEFAULT_HEAD, hidden: 4, members: 3, maxEpochs: 6, seed: 2 };
    const seen: number[] = [];
    const fit = await trainHead(
      { x, y },
      { x, y },
      CLASSES,
      options,
      (r) => seen.push(r.epoch),
      INPUT,
    );
    expect(fit.head.getLayer('head_hidden').getWeights()[0]!.shape).toEqual([INPUT, 12]);
    // Every member reports its own epochs, from 1.
    expect(seen.filter((e) => e === 1)).toHaveLength(3);
    expect(fit.bestEpoch).toBeGreaterThanOrEqual(1);
    expect(fit.bestEpoch).toBeLessThanOrEqual(6);
    const p = predictHead(fit.head, x);
    for (let r = 0; r < n; r++) {
      const row = Array.from(p.subarray(r * CLASSES, (r + 1) * CLASSES));
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    }
    fit.head.dispose();
    // The members and their optimizers are freed, not only the merged head.
    expect(tf.memory().numTensors).toBe(before);
  });
});
