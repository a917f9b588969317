import { describe, expect, it } from 'vitest';
import { calibrate, unknownDistance } from '../shared/decision';
import { chooseNotSureBelow, expectedCalibrationError, fitTemperature } from './calibration';
import { fitAnswers, summariseFolds } from './cross-fit';
import type { FoldOutput } from './fold';
import { seededRandom } from './dataset';
import { detector, quantile } from './unknown';

const labels = ['a', 'b', 'c'].map((id) => ({ id, latin: id, names: {} }));

/** A fold of `n` photos whose top probability is `confidence`, right with chance `rightRate`. */
function fold(n: number, confidence: number, rightRate: number, seed: number): FoldOutput {
  const random = seededRandom(seed);
  const rest = (1 - confidence) / 2;
  const known = Array.from({ length: n }, (_, i) => {
    const truth = i % 3;
    const top = random() < rightRate ? truth : (truth + 1) % 3;
    const probabilities = Float32Array.from([0, 1, 2].map((c) => (c === top ? confidence : rest)));
    return { probabilities, features: Float32Array.from([truth, 0]), truth };
  });
  return {
    known,
    unknown: [
      { probabilities: Float32Array.from([0.4, 0.3, 0.3]), features: Float32Array.from([9, 9]) },
    ],
    centres: [
      [0, 0],
      [1, 0],
      [2, 0],
    ],
    scale: [1, 1],
    background: [0.5, 1],
  };
}

describe('summariseFolds', () => {
  // Fold 0 is said with 95 % and right 40 % of the time; the others are said with 70 % and right 70 %.
  const outputs = [fold(60, 0.95, 0.4, 1), fold(60, 0.7, 0.7, 2), fold(60, 0.7, 0.7, 3)];
  const fitting = { labels, distance: 'nearest' as const, keep: 1, precision: 0.9 };

  it("fits each fold's temperature on the other folds only", () => {
    const summary = summariseFolds(outputs, fitting, true, 0);
    outputs.forEach((_, k) => {
      const others = outputs.filter((__, j) => j !== k).flatMap((o) => o.known);
      const expected = fitTemperature(
        others.map((o) => o.probabilities),
        Int32Array.from(others.map((o) => o.truth)),
      );
      expect(summary.temperature[k]).toBeCloseTo(expected, 2);
    });
    // The over-confident fold changes the others' temperature, not its own.
    expect(summary.temperature[1]).not.toBeCloseTo(summary.temperature[0]!, 2);
  });

  it("pools every fold's calibrated answers for ecePooled", () => {
    const summary = summariseFolds(outputs, fitting, false, 0);
    const confidence: number[] = [];
    const correct: boolean[] = [];
    outputs.forEach((o, k) =>
      o.known.forEach((r) => {
        const shown = calibrate(r.probabilities, summary.temperature[k]!);
        confidence.push(Math.max(...shown));
        correct.push(shown.indexOf(Math.max(...shown)) === r.truth);
      }),
    );
    expect(summary.ecePooled).toBeCloseTo(expectedCalibrationError(confidence, correct), 2);
    // Fold 0 is badly calibrated by the others' temperature: the pooled ECE shows it.
    expect(summary.ecePooled).toBeGreaterThan(summary.ecePooledIfCalibrated);
  });
});

describe('fitAnswers on every fold (what `train --folds` stores)', () => {
  // Features spread along the first axis, so the unknown threshold has something to cut.
  const spread = (o: FoldOutput, by: number): FoldOutput => ({
    ...o,
    known: o.known.map((r, i) => ({
      ...r,
      features: Float32Array.from([r.truth + ((i % 5) - 2) * by, 0]),
    })),
  });
  const outputs = [
    spread(fold(60, 0.95, 0.9, 4), 0.1),
    spread(fold(60, 0.8, 0.6, 5), 0.3),
    spread(fold(60, 0.7, 0.7, 6), 0.2),
  ];
  const known = outputs.flatMap((o) => o.known);

  it.each(['nearest', 'relative'] as const)(
    'fits the temperature on all held-out fish and cuts the unknown threshold at the keep share (%s)',
    (distance) => {
      const fitted = fitAnswers(outputs, { labels, distance, keep: 0.8, precision: 0.9 });
      expect(fitted.temperature).toBeCloseTo(
        fitTemperature(
          known.map((r) => r.probabilities),
          Int32Array.from(known.map((r) => r.truth)),
        ),
        6,
      );
      const distances = outputs.flatMap((o) =>
        o.known.map((r) => unknownDistance(r.features, detector(o, distance))),
      );
      expect(fitted.threshold).toBeCloseTo(quantile(distances, 0.8), 12);
      const share = distances.filter((d) => d <= fitted.threshold).length / distances.length;
      expect(share).toBeGreaterThanOrEqual(0.8);
      expect(share).toBeLessThan(1);
      // notSureBelow: chosen on the fish the detector lets through, by their calibrated confidence.
      const kept = known.filter((_, i) => distances[i]! <= fitted.threshold);
      const shown = kept.map((r) => calibrate(r.probabilities, fitted.temperature));
      expect(fitted.notSureBelow).toBe(
        chooseNotSureBelow(
          shown.map((p) => Math.max(...p)),
          shown.map((p, i) => p.indexOf(Math.max(...p)) === kept[i]!.truth),
          0.9,
        ),
      );
    },
  );

  const nearest = { labels, distance: 'nearest' as const, keep: 0.8, precision: 0.9 };

  it("keeps a card's fixed notSureBelow, and ignores distances without the detector", () => {
    expect(fitAnswers(outputs, { ...nearest, notSureBelow: 0.77 })).toMatchObject({
      notSureBelow: 0.77,
    });
    expect(fitAnswers(outputs, nearest, false).threshold).toBe(0);
  });

  it('with precisionZ, asks the Wilson lower bound of the share right to reach the target', () => {
    // Said with 99 %: 20 photos, 19 right; with 90 %: 60 more, 53 right. Over all 80 the share
    // right is 90 % (72), so z = 0 names them all; one standard error down (the Wilson bound) no
    // threshold reaches 90 % (0.88 for 19 of 20, 0.86 for 72 of 80), so z = 1 names none.
    const graded = (groups: [n: number, confidence: number, right: number][]): FoldOutput => ({
      ...fold(0, 0.5, 0, 7),
      known: groups.flatMap(([n, confidence, right]) =>
        fold(n, confidence, 1, 8).known.map((r, i) =>
          i < right ? r : { ...r, truth: (r.truth + 1) % 3 },
        ),
      ),
    });
    const folds = [
      graded([
        [10, 0.99, 10],
        [30, 0.9, 26],
      ]),
      graded([
        [10, 0.99, 9],
        [30, 0.9, 27],
      ]),
    ];
    const settings = { ...nearest, keep: 1 };
    const plain = fitAnswers(folds, settings);
    const margin = fitAnswers(folds, { ...settings, precisionZ: 1 });
    // The same fish let through and calibrated: only the rule for notSureBelow differs.
    expect(margin.temperature).toBe(plain.temperature);
    expect(margin.threshold).toBe(plain.threshold);
    const rows = folds.flatMap((o) => o.known);
    const shown = rows.map((r) => calibrate(r.probabilities, plain.temperature));
    const confidence = shown.map((p) => Math.max(...p));
    const correct = shown.map((p, i) => p.indexOf(Math.max(...p)) === rows[i]!.truth);
    expect(plain.notSureBelow).toBe(chooseNotSureBelow(confidence, correct, 0.9));
    expect(margin.notSureBelow).toBe(chooseNotSureBelow(confidence, correct, 0.9, 0.5, 1));
    expect(margin.notSureBelow).toBeGreaterThan(plain.notSureBelow);
    // An explicit z (cross-validate's --precision-z) overrides the setting.
    expect(fitAnswers(folds, { ...settings, precisionZ: 1 }, true, 0)).toEqual(plain);
  });
});
