import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { seededRandom } from './dataset';
import { loadBackbone } from './features';
import { fitFold } from './fold';
import { DEFAULT_HEAD } from './head';
import { BACKBONE_DIR } from './import-backbone';
import { FEATURE_SIZE } from './mobilenet-v2';

beforeAll(async () => {
  await initBackend();
}, 60_000);

/** Rows of `per` floats for two classes that light up different halves of the channels. */
function rows(n: number, seed: number, per: number, channels: number) {
  const random = seededRandom(seed);
  const x = new Float32Array(n * per);
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < per; k++)
      x[i * per + k] = Math.max(
        0,
        random() - 0.5 + (k % channels < channels / 2 === (y[i] === 0) ? 0.6 : 0),
      );
  return { x, y };
}

const settings = (blocks: number) => ({
  head: { ...DEFAULT_HEAD, dropout: 0, maxEpochs: 3, batchSize: 8, seed: 1 },
  fineTune: { blocks, learningRate: 1e-4, maxEpochs: 2 },
  whitenedDims: 4,
  seed: 1,
  progress: false,
});

function expectScored(
  output: Awaited<ReturnType<typeof fitFold>>,
  held: { y: Int32Array },
  unknown: number,
) {
  expect(output.known.map((r) => r.truth)).toEqual(Array.from(held.y));
  expect(output.unknown).toHaveLength(unknown);
  for (const r of [...output.known, ...output.unknown]) {
    expect(r.features).toHaveLength(4);
    expect(r.probabilities[0]! + r.probabilities[1]!).toBeCloseTo(1, 5);
  }
  expect(output.centres).toHaveLength(2);
  expect(output.scale).toHaveLength(4);
}

describe('a fold of a K-fold fit', () => {
  it('on pooled features: the whitening and head only, no backbone loaded', async () => {
    const per = FEATURE_SIZE;
    const held = rows(6, 2, per, per);
    let loads = 0;
    const output = await fitFold(
      settings(0),
      2,
      rows(16, 1, per, per),
      held,
      rows(3, 3, per, per).x,
      () => {
        loads++;
        throw new Error('not needed');
      },
    );
    expectScored(output, held, 3);
    expect(loads).toBe(0);
    expect(output.bestEpochs.fineTune).toBe(0);
    expect(output.bestEpochs.head).toBeGreaterThanOrEqual(1);
    expect(output.bestEpochs.head).toBeLessThanOrEqual(3);
  }, 60_000);

  it('with fine-tuning: through the tuned blocks, whitening and head', async () => {
    const per = 7 * 7 * 160;
    const held = rows(6, 2, per, 160);
    const lines: string[] = [];
    const output = await fitFold(
      settings(1),
      2,
      rows(16, 1, per, 160),
      held,
      rows(3, 3, per, 160).x,
      async () => (await loadBackbone(BACKBONE_DIR)).model,
      (line) => lines.push(line),
    );
    expectScored(output, held, 3);
    expect(lines.join('\n')).toMatch(/fine-tuning: \d+ epochs, best at epoch [0-2] /);
    expect(output.bestEpochs.fineTune).toBeGreaterThanOrEqual(0);
    expect(output.bestEpochs.fineTune).toBeLessThanOrEqual(2);
  }, 120_000);
});
