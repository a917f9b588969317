/**
 * The Node side of "the browser and Node give the same decision for every fixture photo": the
 * real demo packs, through the app's decision code (shared/decision.ts), on every fixture photo.
 * `tests/support/node-predict.ts --decisions` prints the same decisions for the browser's side.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../shared/decision';
import { initBackend } from './backend';
import { listImageSet, listImagesDeep } from './dataset';
import { packDecisions } from './decisions';

const RIVER = 'models/demo/river-fish';
const REEF = 'models/demo/reef-fish';
let riverFish: { file: string; label: string }[];
let unknown: string[];

beforeAll(async () => {
  await initBackend();
  riverFish = (await listImageSet(path.resolve('tests/fixtures/fish'))).images;
  unknown = await listImagesDeep(path.resolve('tests/fixtures/unknown'));
});

const verdicts = (decisions: Decision[]) => decisions.map((d) => d.verdict);

describe('decisions of the demo packs on the fixture photos', () => {
  it('river-fish names its own fish, and when it is sure it is right', async () => {
    const decisions = await packDecisions(
      RIVER,
      riverFish.map((i) => i.file),
    );
    expect(verdicts(decisions)).not.toContain('unknown');
    const sure = decisions.filter((d) => d.verdict === 'sure');
    expect(sure.length).toBeGreaterThan(0);
    for (const d of sure) expect(d.ranked[0]!.id).toBe(riverFish[decisions.indexOf(d)]!.label);
    // Calibrated, ranked, complete: every label once, probabilities summing to 1.
    for (const d of decisions) {
      expect(d.ranked.map((r) => r.id).sort()).toEqual([
        'bream',
        'browntrout',
        'burbot',
        'chub',
        'nase',
        'perch',
        'rainbowtrout',
      ]);
      expect(d.ranked.reduce((s, r) => s + r.probability, 0)).toBeCloseTo(1, 5);
    }
  }, 300_000);

  it('river-fish is never sure about reef fish or photos without fish', async () => {
    const decisions = await packDecisions(RIVER, unknown);
    expect(verdicts(decisions)).not.toContain('sure');
    // Most are recognised as none of its species, not merely "not sure".
    expect(verdicts(decisions).filter((v) => v === 'unknown').length).toBeGreaterThanOrEqual(3);
  }, 300_000);

  it('reef-fish is never sure about river fish or photos without fish', async () => {
    const other = [...riverFish.map((i) => i.file), ...unknown.filter((f) => !/reef-/.test(f))];
    const decisions = await packDecisions(REEF, other);
    expect(verdicts(decisions)).not.toContain('sure');
    expect(verdicts(decisions).filter((v) => v === 'unknown').length).toBeGreaterThanOrEqual(
      other.length - 1,
    );
  }, 300_000);
});
