import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fillBuffers, fillDarkBorders } from './dark-borders';
import { MOBILENET_V2_PREPROCESSING, PREPROCESSING_PRESETS, type Preprocessing } from './pack';
import {
  createPreprocessor,
  preprocess,
  preprocessRegion,
  resizeRegion,
  type RgbaImage,
} from './preprocess';

const SIZE = { width: 8, height: 8 };
const STRETCH: Preprocessing = { ...MOBILENET_V2_PREPROCESSING, resize: 'stretch' };

function solid(width: number, height: number, rgb: [number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...rgb, 255], i * 4);
  return { width, height, data };
}

/**
 * Index of the first float whose bit pattern differs (-1: bit-identical). A plain loop: vitest's
 * deep equality over 150,000 elements took ~5 s, over the default test timeout on a busy machine.
 */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/**
 * A crop rotated to the fish's axis: near-black triangles in the top-left and bottom-right
 * corners (a quarter of each side), `colour` elsewhere.
 */
function rotatedCrop(
  width: number,
  height: number,
  colour: (x: number, y: number) => [number, number, number],
): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  const corner = (x: number, y: number) =>
    x / width + y / height < 0.25 || x / width + y / height > 1.75;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      data.set([...(corner(x, y) ? ([3, 1, 4] as const) : colour(x, y)), 255], (y * width + x) * 4);
  return { width, height, data };
}

function pixel(out: Float32Array, width: number, x: number, y: number): number[] {
  return Array.from(out.subarray((y * width + x) * 3, (y * width + x) * 3 + 3));
}

describe('preprocess', () => {
  it('returns width × height × 3 floats scaled from [0, 255] to [-1, 1]', () => {
    const black = preprocess(solid(20, 10, [0, 0, 0]), MOBILENET_V2_PREPROCESSING, SIZE);
    const white = preprocess(solid(20, 10, [255, 255, 255]), MOBILENET_V2_PREPROCESSING, SIZE);
    expect(black).toHaveLength(8 * 8 * 3);
    expect(Math.min(...black)).toBeCloseTo(-1, 6);
    expect(Math.max(...white)).toBeCloseTo(1, 6);
  });

  it('keeps channel order RGB', () => {
    const out = preprocess(solid(5, 5, [255, 0, 128]), STRETCH, SIZE);
    const [r, g] = pixel(out, 8, 3, 3);
    expect(r).toBeCloseTo(1, 6);
    expect(g).toBeCloseTo(-1, 6);
  });

  it('center-crop takes the centred square of a wide photo; stretch takes all of it', () => {
    expect(
      resizeRegion({ width: 400, height: 200 }, 'center-crop', { width: 224, height: 224 }),
    ).toEqual({ x: 100, y: 0, width: 200, height: 200 });
    expect(
      resizeRegion({ width: 200, height: 400 }, 'center-crop', { width: 224, height: 224 }),
    ).toEqual({ x: 0, y: 100, width: 200, height: 200 });
    expect(
      resizeRegion({ width: 400, height: 200 }, 'stretch', { width: 224, height: 224 }),
    ).toEqual({ x: 0, y: 0, width: 400, height: 200 });
  });

  it('center-crop drops the sides of a wide photo', () => {
    // Left and right quarters red, centre half blue: the crop must be all blue.
    const image = solid(16, 8, [0, 0, 255]);
    for (let y = 0; y < 8; y++)
      for (const x of [0, 1, 2, 3, 12, 13, 14, 15])
        image.data.set([255, 0, 0, 255], (y * 16 + x) * 4);
    const out = preprocess(image, MOBILENET_V2_PREPROCESSING, SIZE);
    for (let i = 0; i < out.length; i += 3) expect(out[i]).toBeCloseTo(-1, 6);
  });

  it('averages when shrinking, so a fine checkerboard becomes flat grey instead of aliasing', () => {
    const size = 64;
    const image = solid(size, size, [0, 0, 0]);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        if ((x + y) % 2 === 0) image.data.set([255, 255, 255, 255], (y * size + x) * 4);
    const out = preprocess(image, STRETCH, { width: 7, height: 7 });
    for (const v of out) expect(Math.abs(v)).toBeLessThan(0.05);
  });

  it('interpolates bilinearly when enlarging', () => {
    // Two columns, black then white, enlarged ×4: values rise monotonically across the middle.
    const image: RgbaImage = {
      width: 2,
      height: 1,
      data: new Uint8Array([0, 0, 0, 255, 255, 255, 255, 255]),
    };
    const out = preprocess(image, STRETCH, { width: 8, height: 1 });
    const reds = Array.from({ length: 8 }, (_, x) => out[x * 3]!);
    expect(reds[0]).toBeCloseTo(-1, 6);
    expect(reds[7]).toBeCloseTo(1, 6);
    for (let x = 1; x < 8; x++) expect(reds[x]!).toBeGreaterThanOrEqual(reds[x - 1]!);
    expect(reds[3]! + reds[4]!).toBeCloseTo(0, 6);
  });

  it('is the identity (up to scaling) when the image already has the input size', () => {
    const image = solid(8, 8, [0, 0, 0]);
    for (let i = 0; i < 64; i++) image.data.set([i * 4, 255 - i * 4, i, 255], i * 4);
    const out = preprocess(image, STRETCH, SIZE);
    for (let i = 0; i < 64; i++) expect(out[i * 3]).toBeCloseTo((i * 4) / 127.5 - 1, 5);
  });

  it('mirrors left-right on request', () => {
    const image: RgbaImage = {
      width: 2,
      height: 1,
      data: new Uint8Array([0, 0, 0, 255, 255, 255, 255, 255]),
    };
    const region = { x: 0, y: 0, width: 2, height: 1 };
    const plain = preprocessRegion(image, region, { width: 2, height: 1 }, STRETCH);
    const mirrored = preprocessRegion(image, region, { width: 2, height: 1 }, STRETCH, true);
    expect(Array.from(mirrored)).toEqual([...plain.subarray(3, 6), ...plain.subarray(0, 3)]);
  });

  it('gives identical floats for identical pixels, from Uint8Array or Uint8ClampedArray', () => {
    const image = solid(37, 23, [10, 200, 90]);
    for (let i = 0; i < image.data.length; i += 7) image.data[i] = (i * 13) % 256;
    const a = preprocess(image, MOBILENET_V2_PREPROCESSING, { width: 16, height: 16 });
    const b = preprocess(
      { ...image, data: new Uint8ClampedArray(image.data) },
      MOBILENET_V2_PREPROCESSING,
      { width: 16, height: 16 },
    );
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('rejects pixel data shorter than width × height × 4', () => {
    expect(() =>
      preprocess({ width: 4, height: 4, data: new Uint8Array(10) }, STRETCH, SIZE),
    ).toThrow(/pixels/);
  });
});

describe("createPreprocessor (the browser classifier's reusable fast path)", () => {
  const image = (width: number, height: number, seed: number): RgbaImage => {
    const data = new Uint8ClampedArray(width * height * 4);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < data.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      data[i] = x & 255;
    }
    return { width, height, data };
  };

  it('gives bit-identical floats to preprocess for any image size, both resize modes, shrinking and enlarging, call after call', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Preprocessing['resize']>('stretch', 'center-crop'),
        fc.boolean(),
        fc.boolean(),
        fc.record({
          width: fc.integer({ min: 1, max: 24 }),
          height: fc.integer({ min: 1, max: 24 }),
        }),
        fc.array(
          fc.record({
            width: fc.integer({ min: 1, max: 70 }),
            height: fc.integer({ min: 1, max: 70 }),
            seed: fc.integer(),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        (resize, fillDarkBorders, stretchContrast, size, images) => {
          const preprocessing = {
            ...MOBILENET_V2_PREPROCESSING,
            resize,
            fillDarkBorders,
            stretchContrast,
          };
          const fast = createPreprocessor(preprocessing, size);
          for (const { width, height, seed } of images) {
            const photo = fillDarkBorders
              ? rotatedCrop(width, height, (x, y) => [seed & 255, (x * 7) & 255, (y * 11) & 255])
              : image(width, height, seed);
            expect(firstBitDifference(fast(photo), preprocess(photo, preprocessing, size))).toBe(
              -1,
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives bit-identical floats to preprocess at the real input size (457×218 fish-pass crop → 224×224), with and without the dark-border fill and the contrast stretch', () => {
    const size = { width: 224, height: 224 };
    const variants = [
      { resize: 'stretch', photo: image },
      { resize: 'center-crop', photo: image },
      {
        resize: 'stretch',
        fillDarkBorders: true,
        photo: (width: number, height: number) =>
          rotatedCrop(width, height, (x, y) => [90, (x + y) & 255, 60]),
      },
      {
        resize: 'stretch',
        fillDarkBorders: true,
        stretchContrast: true,
        photo: (width: number, height: number) =>
          rotatedCrop(width, height, (x, y) => [90, 100 + ((x + y) % 40), 60]),
      },
    ] as const;
    for (const { photo: photoOf, ...variant } of variants) {
      const preprocessing = { ...MOBILENET_V2_PREPROCESSING, ...variant };
      const fast = createPreprocessor(preprocessing, size);
      for (const [width, height] of [
        [457, 218],
        [1200, 900],
        [457, 218],
      ] as const) {
        const photo = photoOf(width, height, width * height);
        const expected = preprocess(photo, preprocessing, size);
        const actual = fast(photo);
        expect(actual).toHaveLength(expected.length);
        // Bit for bit: the float32 bit patterns, not values within a tolerance.
        expect(firstBitDifference(actual, expected)).toBe(-1);
      }
    }
  });

  it('rejects pixel data shorter than width × height × 4, like preprocess', () => {
    expect(() =>
      createPreprocessor(STRETCH, SIZE)({ width: 4, height: 4, data: new Uint8Array(10) }),
    ).toThrow(/pixels/);
  });
});

describe('fillDarkBorders', () => {
  const size = { width: 32, height: 32 };
  const plain: Preprocessing = { ...STRETCH };
  const filling: Preprocessing = { ...STRETCH, fillDarkBorders: true };
  // Grey-green with a little texture, and one black "eye" in the middle.
  const colour = (x: number, y: number): [number, number, number] =>
    x === 32 && y === 32 ? [0, 0, 0] : [100, 120 + (x % 5), 60 + (y % 7)];
  const photo = rotatedCrop(64, 64, colour);

  it('gives the dark corners one colour, the mean of the rest of the input, and leaves the photo inside alone', () => {
    const before = preprocess(photo, plain, size);
    const after = preprocess(photo, filling, size);
    const corner = pixel(after, 32, 0, 0);
    expect(pixel(after, 32, 31, 31)).toEqual(corner);
    // Every input pixel the fill left unchanged is part of "the rest"; their mean is the fill colour.
    const mean = [0, 0, 0];
    let rest = 0;
    for (let p = 0; p < 32 * 32; p++) {
      if (pixel(after, 32, p % 32, Math.floor(p / 32)).every((v, c) => v === corner[c])) continue;
      for (let c = 0; c < 3; c++) mean[c]! += after[p * 3 + c]!;
      rest++;
    }
    expect(rest).toBeGreaterThan(32 * 32 * 0.7);
    for (let c = 0; c < 3; c++) expect(corner[c]).toBeCloseTo(mean[c]! / rest, 4);
    // Green ≈ 120–124 of 255 → about -0.05 in [-1, 1]: not the black it was.
    expect(corner[1]).toBeGreaterThan(-0.1);
    expect(pixel(before, 32, 0, 0)[1]).toBeLessThan(-0.9);
    // The dark eye inside the fish is not connected to the border and keeps its value; the
    // middle of the photo is bit-identical with and without the fill.
    expect(pixel(after, 32, 16, 16)).toEqual(pixel(before, 32, 16, 16));
    expect(pixel(after, 32, 10, 20)).toEqual(pixel(before, 32, 10, 20));
  });

  it('also fills the blended edge next to the dark corner, so no dark seam is left', () => {
    const after = preprocess(photo, filling, size);
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++)
        if (x !== 16 || y !== 16) expect(pixel(after, 32, x, y)[1]).toBeGreaterThan(-0.2);
  });

  it('fills two pixels beyond the dark region, stepping left, right, up and down only', () => {
    // 12×8 input values, grey 100, with a black notch at the top-left corner: columns 0–2 of
    // rows 0–1. Filled: the notch, plus every pixel at most two 4-neighbour steps from it.
    const size = { width: 12, height: 8 };
    const buffers = fillBuffers(size);
    const dark = (x: number, y: number) => x <= 2 && y <= 1;
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 12; x++)
        buffers.values.fill(dark(x, y) ? 0 : 100 + x, (y * 12 + x) * 3, (y * 12 + x + 1) * 3);
    fillDarkBorders(size, buffers);
    const steps = (x: number, y: number) => Math.max(0, x - 2) + Math.max(0, y - 1);
    const rest = [];
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 12; x++) if (steps(x, y) > 2) rest.push(100 + x);
    const mean = rest.reduce((a, b) => a + b, 0) / rest.length;
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 12; x++)
        expect(buffers.values[(y * 12 + x) * 3], `${x},${y}`).toBeCloseTo(
          steps(x, y) <= 2 ? mean : 100 + x,
          9,
        );
  });

  it('leaves a photo without dark borders, and an all-dark one, exactly as they are', () => {
    const bright = solid(40, 30, [50, 60, 70]);
    for (let i = 0; i < bright.data.length; i += 4) bright.data[i] = 40 + ((i / 4) % 50);
    expect(
      firstBitDifference(preprocess(bright, filling, size), preprocess(bright, plain, size)),
    ).toBe(-1);
    const night = solid(40, 30, [5, 6, 7]);
    expect(
      firstBitDifference(preprocess(night, filling, size), preprocess(night, plain, size)),
    ).toBe(-1);
  });
});

describe('stretchContrast', () => {
  const size = { width: 32, height: 32 };
  const plain: Preprocessing = { ...STRETCH };
  const stretching: Preprocessing = { ...STRETCH, stretchContrast: true };
  /** A murky photo: grey-green, brightness 80–170 of 255 in a gradient, a darker stripe. */
  const murky = (width: number, height: number): RgbaImage => {
    const data = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const v = 80 + Math.round((90 * x) / (width - 1)) - (y === 10 ? 10 : 0);
        data.set([v - 10, v + 10, v], (y * width + x) * 4);
      }
    return { width, height, data };
  };
  const luma = (input: Float32Array, p: number) =>
    0.299 * input[p * 3]! + 0.587 * input[p * 3 + 1]! + 0.114 * input[p * 3 + 2]!;
  const quantile = (input: Float32Array, q: number) => {
    const values = Array.from({ length: input.length / 3 }, (_, p) => luma(input, p)).sort(
      (a, b) => a - b,
    );
    return values[Math.floor(q * (values.length - 1))]!;
  };

  it('spreads the brightness from its 1st to its 99th percentile over the full range', () => {
    const before = preprocess(murky(64, 64), plain, size);
    const after = preprocess(murky(64, 64), stretching, size);
    // 80–170 of 255 is about -0.4 to 0.35 before; the stretch takes it to about -1 to 1.
    expect(quantile(before, 0.99) - quantile(before, 0.01)).toBeLessThan(0.8);
    expect(quantile(after, 0.01)).toBeLessThan(-0.9);
    expect(quantile(after, 0.99)).toBeGreaterThan(0.9);
    // Brighter stays brighter: the order of the pixels' brightness is kept.
    for (let p = 1; p < 32 * 32; p++)
      if (luma(before, p) > luma(before, p - 1) + 1e-3)
        expect(luma(after, p)).toBeGreaterThanOrEqual(luma(after, p - 1));
  });

  it('gives red, green and blue the same gain, so colours keep their differences in proportion', () => {
    const before = preprocess(murky(64, 64), plain, size);
    const after = preprocess(murky(64, 64), stretching, size);
    const gains = [0, 1, 2].map((c) => {
      const [p, q] = [5 * 32 + 10, 20 * 32 + 22];
      return (after[q * 3 + c]! - after[p * 3 + c]!) / (before[q * 3 + c]! - before[p * 3 + c]!);
    });
    expect(gains[0]).toBeGreaterThan(2);
    expect(gains[1]).toBeCloseTo(gains[0]!, 3);
    expect(gains[2]).toBeCloseTo(gains[0]!, 3);
    // Green stays above red by the same multiple of its difference before.
    const p = 12 * 32 + 16;
    expect(after[p * 3 + 1]! - after[p * 3]!).toBeCloseTo(
      gains[0]! * (before[p * 3 + 1]! - before[p * 3]!),
      3,
    );
  });

  it('stretches a nearly flat photo at most 3 times, and leaves a full-range one nearly as it is', () => {
    const flat = solid(40, 30, [120, 120, 120]);
    for (let i = 0; i < flat.data.length; i += 4) flat.data.fill(118 + ((i / 4) % 5), i, i + 3);
    const before = preprocess(flat, plain, size);
    const after = preprocess(flat, stretching, size);
    const spread = (input: Float32Array) => Math.max(...input) - Math.min(...input);
    expect(spread(after)).toBeLessThanOrEqual(3 * spread(before) + 1e-4);
    expect(spread(after)).toBeGreaterThan(2 * spread(before));

    const full = solid(64, 64, [0, 0, 0]);
    for (let i = 0; i < full.data.length; i += 4)
      full.data.fill(Math.round((((i / 4) % 64) * 255) / 63), i, i + 3);
    const wide = preprocess(full, plain, { width: 256, height: 16 });
    const stretched = preprocess(full, stretching, { width: 256, height: 16 });
    let largest = 0;
    for (let i = 0; i < wide.length; i++)
      largest = Math.max(largest, Math.abs(stretched[i]! - wide[i]!));
    expect(largest).toBeLessThan(0.05);
  });

  it('gives the same picture in pixel units whatever the pack’s scaling (ImageNet mean and std too)', () => {
    const photo = murky(48, 48);
    const a = preprocess(photo, stretching, size);
    const imagenet = {
      ...PREPROCESSING_PRESETS.imagenet,
      resize: 'stretch',
      stretchContrast: true,
    };
    const b = preprocess(photo, imagenet as Preprocessing, size);
    const { mean, std, scale, offset } = PREPROCESSING_PRESETS.imagenet;
    for (let p = 0; p < a.length / 3; p += 31)
      for (const c of [0, 1, 2] as const) {
        const pixelA = (a[p * 3 + c]! + 1) * 127.5;
        const pixelB = (b[p * 3 + c]! * std[c] + mean[c] - offset) * scale;
        expect(pixelB).toBeCloseTo(pixelA, 2);
      }
  });
});

describe('preprocessing presets for bare exports', () => {
  const colour = solid(6, 6, [255, 128, 0]);
  const at = (preprocessing: Preprocessing) =>
    pixel(preprocess(colour, { ...preprocessing, resize: 'stretch' }, SIZE), 8, 4, 4);

  it('mobilenet scales to [-1, 1], unit to [0, 1], raw keeps [0, 255]', () => {
    expect(at(PREPROCESSING_PRESETS.mobilenet)).toEqual([1, 128 / 127.5 - 1, -1].map(Math.fround));
    expect(at(PREPROCESSING_PRESETS.unit)).toEqual([1, 128 / 255, 0].map(Math.fround));
    expect(at(PREPROCESSING_PRESETS.raw)).toEqual([255, 128, 0]);
  });

  it('imagenet normalises each channel with its own mean and std, as torchvision does', () => {
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const expected = [1, 128 / 255, 0].map((v, c) => Math.fround((v - mean[c]!) / std[c]!));
    expect(at(PREPROCESSING_PRESETS.imagenet)).toEqual(expected);
  });

  it('the reusable preprocessor gives the same floats as preprocess with mean/std', () => {
    const preprocessing = PREPROCESSING_PRESETS.imagenet;
    const photo = solid(37, 23, [10, 200, 90]);
    for (let i = 0; i < photo.data.length; i += 5) photo.data[i] = (i * 29) % 256;
    expect(
      firstBitDifference(
        createPreprocessor(preprocessing, SIZE)(photo),
        preprocess(photo, preprocessing, SIZE),
      ),
    ).toBe(-1);
  });
});
