import { describe, expect, it } from 'vitest';
import { calibrate, unknownDistance } from '../shared/decision';
import {
  chooseNotSureBelow,
  eceIfCalibrated,
  expectedCalibrationError,
  fitTemperature,
  measureDecisions,
  wilsonLowerBound,
} from './calibration';
import { seededRandom } from './dataset';
import { fitWhitening, quantile, whiten } from './unknown';

describe('fitTemperature', () => {
  it('recovers the temperature that made over-confident outputs from calibrated ones', () => {
    // Labels drawn from calibrated probabilities q; the model reports q sharpened (T = 0.5).
    const random = seededRandom(3);
    const rows: number[][] = [];
    const truth: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const logits = [0, 1, 2].map(() => 2 * (random() - 0.5) * 2);
      const q = calibrate(
        logits.map((l) => Math.exp(l)),
        1,
      );
      const u = random();
      truth.push(u < q[0]! ? 0 : u < q[0]! + q[1]! ? 1 : 2);
      rows.push(calibrate(q, 0.5));
    }
    expect(fitTemperature(rows, Int32Array.from(truth))).toBeCloseTo(2, 0);
  });
});

describe('expectedCalibrationError', () => {
  it('is the frequency-weighted gap between confidence and accuracy per bin', () => {
    // Bin 0.9–1.0: confidence 0.95 ×4, 2 right → gap 0.45; bin 0.6–0.7: 0.65 ×4, all right → 0.35.
    const confidence = [0.95, 0.95, 0.95, 0.95, 0.65, 0.65, 0.65, 0.65];
    const correct = [true, true, false, false, true, true, true, true];
    expect(expectedCalibrationError(confidence, correct)).toBeCloseTo(0.5 * 0.45 + 0.5 * 0.35, 12);
    expect(expectedCalibrationError([0.7, 0.7, 0.7], [true, true, false])).toBeCloseTo(0.0333, 3);
  });
});

describe('eceIfCalibrated', () => {
  const confidences = (n: number) => Array.from({ length: n }, (_, i) => 0.3 + (0.6 * i) / n);

  it('is what a calibrated model measures on that many photos: ~0.07 on 150, less on more, 0 when always sure', () => {
    const small = eceIfCalibrated(confidences(150));
    const large = eceIfCalibrated(confidences(1500));
    expect(small).toBeGreaterThan(0.05);
    expect(small).toBeLessThan(0.1);
    // Sampling noise falls as 1/√n: ten times the photos, about a third of the ECE.
    expect(large / small).toBeGreaterThan(0.2);
    expect(large / small).toBeLessThan(0.5);
    expect(eceIfCalibrated([1, 1, 1, 1])).toBe(0);
  });

  it('matches the ECE of labels actually drawn from the confidences, over many draws', () => {
    const confidence = confidences(200);
    const random = seededRandom(7);
    let measured = 0;
    for (let d = 0; d < 300; d++)
      measured += expectedCalibrationError(
        confidence,
        confidence.map((c) => random() < c),
      );
    expect(measured / 300).toBeCloseTo(eceIfCalibrated(confidence), 2);
  });
});

describe('wilsonLowerBound', () => {
  it('is the proportion at z = 0 and the textbook 95 % bound at z = 1.96', () => {
    expect(wilsonLowerBound(90, 100, 0)).toBe(0.9);
    // 90 of 100: Wilson 95 % interval 0.8256–0.9448.
    expect(wilsonLowerBound(90, 100, 1.96)).toBeCloseTo(0.8256, 4);
    expect(wilsonLowerBound(5, 5, 1)).toBeCloseTo(5 / 6, 12);
    expect(wilsonLowerBound(0, 0, 1)).toBe(0);
  });
});

describe('chooseNotSureBelow', () => {
  const confidence = [0.99, 0.97, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.55];
  const correct = [true, true, true, true, true, false, true, false, true, false];

  it('takes the lowest threshold whose sure answers reach the precision', () => {
    // ≥ 0.75: 6 of 7 right (0.857); ≥ 0.85: 5 of 5; ≥ 0.6: 7 of 9 (0.78).
    expect(chooseNotSureBelow(confidence, correct, 0.85)).toBe(0.75);
    expect(chooseNotSureBelow(confidence, correct, 0.9)).toBe(0.85);
    expect(chooseNotSureBelow(confidence, correct, 0.75)).toBe(0.6);
  });

  it('with z > 0 asks the Wilson lower bound to reach the precision: a higher threshold on few photos', () => {
    // ≥ 0.85: 5 of 5 right, lower bound (z = 1) 0.833; ≥ 0.9: 4 of 4, 0.8; ≥ 0.75: 6 of 7, 0.65.
    expect(chooseNotSureBelow(confidence, correct, 0.82, 0.5, 1)).toBe(0.85);
    expect(chooseNotSureBelow(confidence, correct, 0.82)).toBe(0.75);
    expect(chooseNotSureBelow(confidence, correct, 0.85, 0.5, 1)).toBeGreaterThan(0.99);
  });

  it('never goes below the floor, and says "sure" to nothing when no threshold reaches it', () => {
    expect(chooseNotSureBelow(confidence, correct, 0.7, 0.65)).toBe(0.65);
    expect(chooseNotSureBelow([0.9, 0.8], [false, false], 0.9)).toBeGreaterThan(0.9);
  });
});

describe('unknown detection', () => {
  it('measures Mahalanobis distances with the within-class covariance', () => {
    // Two classes in 2-D; within each, x varies with sd 2 and y with sd 0.5 (independent).
    const random = seededRandom(5);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const rows: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const c = i % 2;
      rows.push(10 * c + 2 * normal(), 0.5 * normal());
      y.push(c);
    }
    const w = fitWhitening(Float32Array.from(rows), Int32Array.from(y), 2, 2, 2, 0);
    const detector = {
      method: 'nearest-centre' as const,
      layer: 'e',
      centres: w.centres.map((c) => Array.from(c)),
      scale: Array.from(w.scale),
      threshold: 1,
    };
    const distance = (x: number, yy: number) =>
      unknownDistance(whiten(w, Float32Array.from([x, yy]), 2)[0]!, detector);
    // 2 sd along x from class 0 and 2 sd along y from class 0 are equally far: (2² + 0) / 2 = 2.
    expect(distance(4, 0)).toBeCloseTo(2, 1);
    expect(distance(0, 1)).toBeCloseTo(2, 1);
    // Between the classes along x is 2.5 sd from both: 6.25 / 2.
    expect(distance(5, 0)).toBeCloseTo(3.125, 1);
    // All rows together: x varies with sd √(2² + 5²) = √29 about the mean (5, 0), y with sd 0.5.
    expect(w.background[0]).toBeCloseTo(1 / Math.sqrt(29), 2);
    expect(w.background[1]).toBeCloseTo(2, 1);
    const relative = (x: number, yy: number) =>
      unknownDistance(whiten(w, Float32Array.from([x, yy]), 2)[0]!, {
        ...detector,
        method: 'relative-nearest-centre' as const,
        background: Array.from(w.background),
      });
    // The relative score subtracts the distance from the mean of all rows: (1² / 29 + 0) / 2 at
    // (4, 0), but (5² / 29 + 2²) / 2 at (0, 1), where y alone moves the photo from every row.
    expect(relative(4, 0)).toBeCloseTo(2 - 1 / 58, 1);
    expect(relative(0, 1)).toBeCloseTo(2 - (25 / 29 + 4) / 2, 1);
  });

  it('quantile interpolates', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3], 1)).toBe(3);
  });
});

describe('measureDecisions', () => {
  it('counts coverage, accuracy when sure and unknown answers with decide()', () => {
    const labels = ['a', 'b'].map((id) => ({ id, latin: id, names: {} }));
    const metrics = measureDecisions(
      {
        known: [
          { output: { probabilities: [0.9, 0.1] }, truth: 0 },
          { output: { probabilities: [0.8, 0.2] }, truth: 1 },
          { output: { probabilities: [0.6, 0.4] }, truth: 0 },
          { output: { probabilities: [0.3, 0.7] }, truth: 1 },
        ],
        unknown: [{ probabilities: [0.95, 0.05] }, { probabilities: [0.5, 0.5] }],
      },
      { labels, notSureBelow: 0.7 },
    );
    expect(metrics.sure).toEqual({ threshold: 0.7, coverage: 0.75, accuracy: 2 / 3 });
    expect(metrics.unknown).toEqual({ n: 2, answeredSure: 0.5 });
    // Bins: 0.9 (right), 0.8 (wrong), 0.6 (right), 0.7 (right) → (0.1 + 0.8 + 0.4 + 0.3) / 4.
    expect(metrics.ece).toBeCloseTo(0.4, 12);
  });
});
