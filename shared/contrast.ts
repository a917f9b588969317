/**
 * The contrast stretch of the shared preprocessing (`preprocessing.stretchContrast`): the network
 * input's brightness range, from its 1st to its 99th percentile, is spread over the full range,
 * the same gain for red, green and blue, so murky, low-contrast underwater photos meet the model
 * with the fish's markings as distinct as in a clear one (training/README.md).
 */
import type { Preprocessing } from './pack';

type Scaling = Pick<Preprocessing, 'scale' | 'offset' | 'mean' | 'std'>;

/** Brightness histogram resolution: quarter steps of the 0–255 range. */
const BINS = 1024;
const LOW = 0.01;
const HIGH = 0.99;
/** At most this gain: a nearly flat picture (fog, a wall) is not blown up into noise. */
const MAX_GAIN = 3;

/**
 * Stretches the contrast of a network input in place (Float32 HWC RGB, already scaled as the pack
 * says). Works in 0–255 pixel units, so the same photo gives the same floats whatever the scaling.
 */
export function stretchContrast(input: Float32Array, { scale, offset, mean, std }: Scaling): void {
  // pixel = value × a + b per channel, the pack's scaling undone.
  const [ar, ag, ab] = [0, 1, 2].map((c) => (std?.[c] ?? 1) * scale) as [number, number, number];
  const [br, bg, bb] = [0, 1, 2].map((c) => ((mean?.[c] ?? 0) - offset) * scale) as [
    number,
    number,
    number,
  ];
  const n = input.length / 3;
  const histogram = new Uint32Array(BINS);
  for (let i = 0; i < input.length; i += 3) {
    const luma =
      0.299 * (input[i]! * ar + br) +
      0.587 * (input[i + 1]! * ag + bg) +
      0.114 * (input[i + 2]! * ab + bb);
    // Truncation is the floor here (negative bins go to 0 first), and cheaper than Math.floor.
    const bin = (luma * BINS) / 256;
    histogram[bin < 0 ? 0 : bin >= BINS - 1 ? BINS - 1 : bin | 0]!++;
  }
  let seen = 0;
  let lo = -1;
  let hi = BINS - 1;
  for (let bin = 0; bin < BINS; bin++) {
    seen += histogram[bin]!;
    if (lo < 0 && seen > LOW * n) lo = bin;
    if (seen >= HIGH * n) {
      hi = bin;
      break;
    }
  }
  const low = (lo * 256) / BINS;
  const high = ((hi + 1) * 256) / BINS;
  const gain = Math.min(MAX_GAIN, 255 / (high - low));
  const middle = (low + high) / 2;
  const clamp = (pixel: number) => (pixel < 0 ? 0 : pixel > 255 ? 255 : pixel);
  for (let i = 0; i < input.length; i += 3) {
    input[i] = (clamp((input[i]! * ar + br - middle) * gain + 127.5) - br) / ar;
    input[i + 1] = (clamp((input[i + 1]! * ag + bg - middle) * gain + 127.5) - bg) / ag;
    input[i + 2] = (clamp((input[i + 2]! * ab + bb - middle) * gain + 127.5) - bb) / ab;
  }
}
