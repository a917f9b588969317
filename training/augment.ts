/** Training-time augmentation built on the shared preprocessing: random crop, mirror, light and contrast jitter. */
import type { Preprocessing } from '../shared/pack';
import {
  preprocess,
  preprocessRegion,
  resizeRegion,
  type InputSize,
  type RgbaImage,
} from '../shared/preprocess';
import { seededRandom } from './dataset';

/** Bump when the augmentation changes, so cached features of old views are not reused. */
export const AUGMENTATION_VERSION = 1;

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
  const pixels = preprocessRegion(image, region, size, preprocessing, mirror);
  // Brightness/contrast jitter in the [-1, 1] space, plus a small per-channel colour cast.
  const contrast = 0.8 + 0.4 * random();
  const brightness = (random() - 0.5) * 0.3;
  const cast = [0, 1, 2].map(() => (random() - 0.5) * 0.1);
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]! * contrast + brightness + cast[i % 3]!;
    pixels[i] = v < -1 ? -1 : v > 1 ? 1 : v;
  }
  return pixels;
}
