/** A 12-megapixel phone photo for benches, made once from a fixture photo and kept under .cache/. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ROOT } from './test-packs.js';

/** A 12 MP phone-sized JPEG made from a fixture photo, with fine noise so it decodes like a real photo. */
export async function phonePhoto(source: string): Promise<string> {
  const file = join(ROOT, '.cache/bench/phone-12mp.jpg');
  if (existsSync(file)) return file;
  mkdirSync(join(ROOT, '.cache/bench'), { recursive: true });
  const [width, height] = [4032, 3024];
  const pixels = await sharp(source).resize(width, height, { fit: 'fill' }).raw().toBuffer();
  let seed = 12345;
  for (let i = 0; i < pixels.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    pixels[i] = Math.max(0, Math.min(255, pixels[i]! + ((seed >>> 24) % 25) - 12));
  }
  const jpeg = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  writeFileSync(file, jpeg);
  return file;
}
