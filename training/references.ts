/**
 * Reference photos: per species a few small photos from the licensed training data, shipped
 * inside the pack (listed in its manifest like every file) so people can compare their fish with
 * the species' own, offline. Each photo shows another fish (video or track); the largest crops come
 * first, as they carry the most detail for the few kilobytes a photo may cost.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Label, ReferencePhoto } from '../shared/pack';
import type { LabelledImage } from './dataset';

/** Where the photos and their credit come from: the pack card's `references`. */
export interface ReferenceSource {
  /** Who made the photos and where the original data are. */
  credit: string;
  licence: string;
  /** Photos per species (at most this many; fewer when the data has fewer fish). */
  perLabel: number;
}

/** The folder inside a pack; one subfolder per label id. */
const REFERENCE_DIR = 'references';
/** Longest side in pixels: sharp on a phone card at 2× without costing more than ~15 kB a photo. */
const MAX_SIDE = 320;

/** Up to `count` images of `label`, each of another fish, the largest crops first. */
export async function pickReferenceImages(
  images: readonly LabelledImage[],
  label: string,
  count: number,
): Promise<LabelledImage[]> {
  const sized = await Promise.all(
    images
      .filter((image) => image.label === label)
      .map(async (image) => {
        const { width = 0, height = 0 } = await sharp(image.file).metadata();
        return { image, area: width * height };
      }),
  );
  sized.sort((a, b) => b.area - a.area || a.image.file.localeCompare(b.image.file));
  const fish = new Set<string>();
  const picked: LabelledImage[] = [];
  for (const { image } of sized) {
    if (picked.length === count) break;
    if (fish.has(image.fishKey)) continue;
    fish.add(image.fishKey);
    picked.push(image);
  }
  return picked;
}

/**
 * Writes the reference photos of every label into `packDir/references/<label>/` as small JPEGs
 * (named after their source image) and returns the labels with their `references`, in order.
 */
export async function writeReferencePhotos(
  packDir: string,
  labels: readonly Label[],
  images: readonly LabelledImage[],
  source: ReferenceSource,
): Promise<Label[]> {
  const out: Label[] = [];
  for (const label of labels) {
    const { references: _previous, ...rest } = label;
    const references: ReferencePhoto[] = [];
    for (const image of await pickReferenceImages(images, label.id, source.perLabel)) {
      const name = path.basename(image.file).replace(/\.[^.]+$/, '');
      const rel = `${REFERENCE_DIR}/${label.id}/${name}.jpg`;
      await mkdir(path.join(packDir, REFERENCE_DIR, label.id), { recursive: true });
      await sharp(image.file)
        .rotate()
        .resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 78, mozjpeg: true })
        .toFile(path.join(packDir, rel));
      references.push({ path: rel, credit: source.credit, licence: source.licence });
    }
    out.push(references.length > 0 ? { ...rest, references } : rest);
  }
  return out;
}
