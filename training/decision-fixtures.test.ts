/**
 * The Node side of "the browser and Node give the same decision for every fixture photo": the
 * real demo packs, through the app's decision code (shared/decision.ts), on every fixture photo.
 * `tests/support/node-predict.ts --decisions` prints the same decisions for the browser's side.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../shared/decision';
import { metadataSchema } from '../shared/pack';
import { initBackend } from './backend';
import { listImageSet, listImagesDeep } from './dataset';
import { packDecisions } from './decisions';
import type { FitSettings } from './fit';
import { headDescription } from './pack-metadata';

const RIVER = 'models/demo/river-fish';
const REEF = 'models/demo/reef-fish';
let riverFish: { file: string; label: string }[];
let unknown: string[];
let bareRiver: string;

beforeAll(async () => {
  await initBackend();
  riverFish = (await listImageSet(path.resolve('tests/fixtures/fish'))).images;
  unknown = await listImagesDeep(path.resolve('tests/fixtures/unknown'));
  // The river pack as a bare export would be: same weights, no calibration or unknown data.
  bareRiver = mkdtempSync(path.join(tmpdir(), 'fishlens-bare-'));
  cpSync(RIVER, bareRiver, { recursive: true });
  const bare = { ...metadataOf(RIVER), calibration: undefined, unknown: undefined };
  writeFileSync(path.join(bareRiver, 'metadata.json'), JSON.stringify(bare));
});

afterAll(() => rmSync(bareRiver, { recursive: true, force: true }));

const verdicts = (decisions: Decision[]) => decisions.map((d) => d.verdict);
const metadataOf = (dir: string) =>
  metadataSchema.parse(JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8')));

describe('decisions of the demo packs on the fixture photos', () => {
  it('a pack without calibration or unknown data answers by its threshold alone', async () => {
    const { notSureBelow } = metadataOf(bareRiver);
    const decisions = await packDecisions(bareRiver, [...riverFish.map((i) => i.file), ...unknown]);
    expect(verdicts(decisions)).not.toContain('unknown');
    for (const d of decisions) {
      expect(d.verdict).toBe(d.ranked[0]!.probability >= notSureBelow ? 'sure' : 'not-sure');
      expect(d.ranked.reduce((s, r) => s + r.probability, 0)).toBeCloseTo(1, 5);
    }
  }, 300_000);

  it('the demo packs carry calibration and unknown-detection data', () => {
    for (const dir of [RIVER, REEF]) {
      const metadata = metadataOf(dir);
      expect(metadata.calibration?.temperature, dir).toBeGreaterThan(0);
      expect(metadata.unknown?.centres.length, dir).toBe(metadata.labels.length);
    }
  });

  it('the demo packs name the head they were trained with', () => {
    for (const dir of [RIVER, REEF]) {
      const { architecture, training } = metadataOf(dir);
      // `training` keeps what the trainer wrote beyond its schema: the head and the whitening.
      const head = training?.['head'] as FitSettings['head'];
      const whitenedDims = training?.['whitenedDims'] as number;
      expect(architecture, dir).toMatch(/^MobileNetV2 1\.0 224 /);
      expect(architecture.endsWith(` + ${headDescription(head, whitenedDims)}`), dir).toBe(true);
    }
  });

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

  // Known miss, kept failing on purpose so it turns red the day a pack passes it: the reef pack's
  // detector lets some river fish through (1 of the 12 river fixture photos, a bream, answered
  // "sure"), see training/README.md "Honest answers: results".
  it.fails(
    'reef-fish is never sure about river fish or photos without fish',
    async () => {
      const other = [...riverFish.map((i) => i.file), ...unknown.filter((f) => !/reef-/.test(f))];
      const decisions = await packDecisions(REEF, other);
      expect(verdicts(decisions)).not.toContain('sure');
      expect(verdicts(decisions).filter((v) => v === 'unknown').length).toBeGreaterThanOrEqual(
        other.length - 1,
      );
    },
    300_000,
  );
});
