import { describe, expect, it } from 'vitest';
import { calibrate, decide, displayPercent, unknownDistance } from './decision';
import { unknownDetectionSchema, type Label } from './pack';

const labels: Label[] = ['bream', 'chub', 'perch'].map((id) => ({ id, latin: id, names: {} }));

describe('calibrate', () => {
  it('is softmax(log p / T): T = 2 turns 0.8 / 0.2 into √0.8 : √0.2 = 2 : 1', () => {
    const [a, b] = calibrate([0.8, 0.2], 2);
    expect(a).toBeCloseTo(2 / 3, 12);
    expect(b).toBeCloseTo(1 / 3, 12);
  });

  it('leaves probabilities as they are at T = 1 and sharpens them below 1', () => {
    expect(calibrate([0.7, 0.2, 0.1], 1)).toEqual([
      expect.closeTo(0.7, 12),
      expect.closeTo(0.2, 12),
      expect.closeTo(0.1, 12),
    ]);
    // T = 0.5 squares: 0.49 : 0.04 : 0.01.
    expect(calibrate([0.7, 0.2, 0.1], 0.5)[0]).toBeCloseTo(0.49 / 0.54, 12);
  });

  it('keeps a probability of 0 at 0 and survives an all-zero output', () => {
    expect(calibrate([1, 0, 0], 3)).toEqual([1, 0, 0]);
    expect(calibrate([0, 0], 2)).toEqual([0.5, 0.5]);
  });
});

describe('decide', () => {
  it('ranks every label by calibrated probability and is "sure" at or above notSureBelow', () => {
    const metadata = { labels, notSureBelow: 0.6, calibration: { temperature: 2 } };
    // 0.81 : 0.18 : 0.01 → √ → 0.9 : 0.424 : 0.1 → 0.632, 0.298, 0.070.
    const d = decide({ probabilities: [0.18, 0.81, 0.01] }, metadata);
    expect(d.ranked.map((r) => r.id)).toEqual(['chub', 'bream', 'perch']);
    expect(d.ranked.map((r) => r.index)).toEqual([1, 0, 2]);
    expect(d.ranked[0]!.probability).toBeCloseTo(0.9 / (0.9 + Math.sqrt(0.18) + 0.1), 12);
    expect(d.verdict).toBe('sure');
    // The same output without calibration: 0.81 ≥ 0.6 too; with T = 4 the top falls below 0.6.
    expect(
      decide(
        { probabilities: [0.18, 0.81, 0.01] },
        { ...metadata, calibration: { temperature: 4 } },
      ).verdict,
    ).toBe('not-sure');
  });

  it('falls back to the plain probability threshold for a bare export', () => {
    const bare = { labels, notSureBelow: 0.5 };
    expect(decide({ probabilities: [0.5, 0.3, 0.2] }, bare).verdict).toBe('sure');
    expect(decide({ probabilities: [0.49, 0.31, 0.2] }, bare).verdict).toBe('not-sure');
    expect(decide({ probabilities: [0.49, 0.31, 0.2] }, bare).ranked[0]!.probability).toBe(0.49);
  });

  it('answers "unknown" when the features are far from every centre, whatever the probabilities', () => {
    const unknown = {
      method: 'nearest-centre' as const,
      layer: 'unknown_embedding',
      centres: [
        [0, 0],
        [4, 0],
        [0, 4],
      ],
      threshold: 2,
    };
    const metadata = { labels, notSureBelow: 0.5, unknown };
    const confident = [0.98, 0.01, 0.01];
    // Nearest centre (4, 0): (1² + 1²) / 2 = 1 ≤ 2 → the probabilities decide.
    expect(unknownDistance([3, 1], unknown)).toBe(1);
    expect(decide({ probabilities: confident, features: [3, 1] }, metadata).verdict).toBe('sure');
    // (2, 2) is 8 / 2 = 4 from each centre → unknown, and the closest species is still ranked.
    expect(unknownDistance([2, 2], unknown)).toBe(4);
    const far = decide({ probabilities: confident, features: [2, 2] }, metadata);
    expect(far.verdict).toBe('unknown');
    expect(far.ranked[0]!.id).toBe('bream');
    // Without features (an executor that cannot give them) the threshold decides.
    expect(decide({ probabilities: confident }, metadata).verdict).toBe('sure');
  });

  it('discounts the distance every photo has from the centre of all photos when relative', () => {
    const unknown = {
      method: 'relative-nearest-centre' as const,
      layer: 'unknown_embedding',
      centres: [
        [1, 0],
        [-1, 0],
      ],
      // The second coordinate varies as much within a species as across them: it says nothing
      // about whether a photo shows one of the species, and the background term cancels it.
      scale: [2, 1],
      background: [1, 1],
      threshold: 1,
    };
    // (1, 3): nearest (1, 0) → (0² + 3²) / 2 = 4.5, minus (1² + 3²) / 2 = 5 → −0.5.
    expect(unknownDistance([1, 3], unknown)).toBeCloseTo(-0.5, 12);
    // (3, 0): nearest (1, 0) → (4² + 0) / 2 = 8, minus 9 / 2 → 3.5.
    expect(unknownDistance([3, 0], unknown)).toBeCloseTo(3.5, 12);
    const metadata = { labels, notSureBelow: 0.5, unknown };
    const confident = [0.98, 0.01, 0.01];
    expect(decide({ probabilities: confident, features: [1, 3] }, metadata).verdict).toBe('sure');
    expect(decide({ probabilities: confident, features: [3, 0] }, metadata).verdict).toBe(
      'unknown',
    );
    // Without the background the same photo far along the second coordinate is "unknown".
    const plain = { ...unknown, method: 'nearest-centre' as const, background: undefined };
    expect(unknownDistance([1, 3], plain)).toBe(4.5);
    expect(() => unknownDistance([1, 3], { ...unknown, background: [1] })).toThrow(/2 values/);
  });

  it('only reads packs whose detector data fit its method', () => {
    const base = { layer: 'e', centres: [[0, 0]], scale: [1, 1] };
    const ok = (u: object) => unknownDetectionSchema.safeParse({ ...base, ...u }).success;
    expect(ok({ method: 'nearest-centre', threshold: 1 })).toBe(true);
    expect(ok({ method: 'relative-nearest-centre', background: [1, 1], threshold: -0.2 })).toBe(
      true,
    );
    // A relative detector without its background, or a background the method does not read,
    // would compare one score with another's threshold.
    expect(ok({ method: 'relative-nearest-centre', threshold: 0.1 })).toBe(false);
    expect(ok({ method: 'nearest-centre', background: [1, 1], threshold: 1 })).toBe(false);
    expect(ok({ method: 'nearest-centre', threshold: -1 })).toBe(false);
  });

  it('refuses outputs that do not fit the pack', () => {
    expect(() => decide({ probabilities: [0.5, 0.5] }, { labels, notSureBelow: 0.5 })).toThrow(
      /2 probabilities for 3 labels/,
    );
    const unknown = {
      method: 'nearest-centre' as const,
      layer: 'e',
      centres: [[0, 0]],
      threshold: 1,
    };
    expect(() =>
      decide(
        { probabilities: [1, 0, 0], features: [1, 2, 3] },
        { labels, notSureBelow: 0.5, unknown },
      ),
    ).toThrow(/3 values/);
  });
});

describe('displayPercent', () => {
  it('rounds to whole percent but never shows 100 or 0', () => {
    expect(displayPercent(0.734)).toBe(73);
    expect(displayPercent(0.995)).toBe(99);
    expect(displayPercent(1)).toBe(99);
    expect(displayPercent(0.001)).toBe(1);
    expect(displayPercent(0)).toBe(1);
    expect(displayPercent(Number.NaN)).toBe(1);
  });
});
