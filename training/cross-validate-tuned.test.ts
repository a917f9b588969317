import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { tunedFold } from './cross-validate-tuned';
import { seededRandom } from './dataset';
import { DEFAULT_HEAD } from './head';

beforeAll(async () => {
  await initBackend();
}, 60_000);

/** Tail-input activations (7×7×160) of two classes that light up different channels. */
function rows(n: number, seed: number): { x: Float32Array; y: Int32Array } {
  const per = 7 * 7 * 160;
  const random = seededRandom(seed);
  const x = new Float32Array(n * per);
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < per; k++)
      x[i * per + k] = Math.max(0, random() - 0.5 + (k % 160 < 80 === (y[i] === 0) ? 0.6 : 0));
  return { x, y };
}

describe('a cross-validation fold with fine-tuning', () => {
  it('scores the held-out rows and the unknown rows through the tuned blocks, whitening and head', async () => {
    const held = rows(6, 2);
    const lines: string[] = [];
    const output = await tunedFold(
      {
        head: { ...DEFAULT_HEAD, dropout: 0, maxEpochs: 3, batchSize: 8, seed: 1 },
        fineTune: { blocks: 1, learningRate: 1e-4, maxEpochs: 2 },
        whitenedDims: 4,
        seed: 1,
        progress: false,
      },
      2,
      rows(16, 1),
      held,
      rows(3, 3).x,
      (line) => lines.push(line),
    );
    expect(output.known.map((r) => r.truth)).toEqual(Array.from(held.y));
    expect(output.unknown).toHaveLength(3);
    for (const r of [...output.known, ...output.unknown]) {
      expect(r.features).toHaveLength(4);
      expect(r.probabilities[0]! + r.probabilities[1]!).toBeCloseTo(1, 5);
    }
    expect(output.centres).toHaveLength(2);
    expect(output.scale).toHaveLength(4);
    expect(lines.join('\n')).toMatch(/fine-tuning: \d+ epochs, best at epoch [0-2] /);
  }, 120_000);
});
