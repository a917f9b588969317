/**
 * Training-time augmentation built on the shared preprocessing: random crop and mirror, then light
 * and colour changes. `light` is the original recipe; `water` adds what differs between the
 * videos of one species: grey and strongly tinted water, murk (the picture fading into the water
 * colour), low contrast and blur.
 */
import type { Preprocessing } from '../shared/pack';
import {
  preprocess,
  preprocessRegion,
  resizeRegion,
  type InputSize,
  type RgbaImage,
} from '../shared/preprocess';
import { stretchContrast } from '../shared/contrast';
import { seededRandom } from './dataset';

export const AUGMENTATIONS = ['light', 'water'] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];

/** Part of the feature-cache key: bump a recipe's number when it changes, so old views are not reused. */
export const AUGMENTATION_VERSION: Record<Augmentation, number> = { light: 1, water: 2 };

/**
 * The network input for view `view` of an image: view 0 is exactly what the app computes;
 * later views are reproducible random variants (seeded by `seed` and the view number).
 */
export function augmentedView(
  image: RgbaImage,
  preprocessing: Preprocessing,
  size: InputSize,
  view: number,
  seed: number,
  recipe: Augmentation = 'light',
): Float32Array {
  if (view === 0) return preprocess(image, preprocessing, size);
  const random = seededRandom((seed ^ Math.imul(view, 0x9e3779b1)) >>> 0);
  const base = resizeRegion(image, preprocessing.resize, size);
  // Keep 75–100 % of each side, with a little aspect change, anywhere inside the base region.
  const keepW = 0.75 + 0.25 * random();
  const keepH = Math.min(1, Math.max(0.75, keepW * (0.9 + 0.2 * random())));
  const width = base.width * keepW;
  const height = base.height * keepH;
  const region = {
    x: base.x + (base.width - width) * random(),
    y: base.y + (base.height - height) * random(),
    width,
    height,
  };
  const mirror = random() < 0.5;
  // The stretch comes after the light and water changes, as the app applies it to every photo.
  const pixels = preprocessRegion(
    image,
    region,
    size,
    { ...preprocessing, stretchContrast: false },
    mirror,
  );
  if (recipe === 'water') water(pixels, size, random);
  // Brightness/contrast jitter in the [-1, 1] space, plus a small per-channel colour cast.
  const contrast = 0.8 + 0.4 * random();
  const brightness = (random() - 0.5) * 0.3;
  const cast = [0, 1, 2].map(() => (random() - 0.5) * 0.1);
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]! * contrast + brightness + cast[i % 3]!;
    pixels[i] = v < -1 ? -1 : v > 1 ? 1 : v;
  }
  if (preprocessing.stretchContrast) stretchContrast(pixels, preprocessing);
  return pixels;
}

/** Grey, tint, murk and blur, each with its own chance, in place on [-1, 1] HWC pixels. */
function water(pixels: Float32Array, size: InputSize, random: () => number): void {
  const grey = random() < 0.25;
  const murk = random() < 0.5 ? 0.2 + 0.45 * random() : 0;
  // A water colour around grey-green-yellow-blue, in [-1, 1].
  const hue = random();
  const waterColour = [
    -0.1 + 0.5 * Math.sin(2 * Math.PI * hue) * 0.5,
    0.0 + 0.3 * random(),
    -0.2 + 0.5 * Math.cos(2 * Math.PI * hue) * 0.5,
  ];
  const tint = [0, 1, 2].map(() => (random() - 0.5) * 0.4);
  for (let i = 0; i < pixels.length; i += 3) {
    let r = pixels[i]!;
    let g = pixels[i + 1]!;
    let b = pixels[i + 2]!;
    if (grey) r = g = b = 0.299 * r + 0.587 * g + 0.114 * b;
    pixels[i] = (1 - murk) * r + murk * waterColour[0]! + tint[0]!;
    pixels[i + 1] = (1 - murk) * g + murk * waterColour[1]! + tint[1]!;
    pixels[i + 2] = (1 - murk) * b + murk * waterColour[2]! + tint[2]!;
  }
  if (random() < 0.35) boxBlur(pixels, size, 1 + Math.floor(random() * 2));
}

/** Separable box blur of radius `r` (edges clamp), in place. */
function boxBlur(pixels: Float32Array, size: InputSize, r: number): void {
  const { width: w, height: h } = size;
  const tmp = new Float32Array(pixels.length);
  const pass = (from: Float32Array, to: Float32Array, horizontal: boolean) => {
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let d = -r; d <= r; d++) {
            const xx = horizontal ? Math.min(w - 1, Math.max(0, x + d)) : x;
            const yy = horizontal ? y : Math.min(h - 1, Math.max(0, y + d));
            sum += from[(yy * w + xx) * 3 + c]!;
          }
          to[(y * w + x) * 3 + c] = sum / (2 * r + 1);
        }
  };
  pass(pixels, tmp, true);
  pass(tmp, pixels, false);
}
