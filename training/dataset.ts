/** Folder-per-class image sets: listing, grouping frames by fish, and the train/validation split by fish. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { NAME_PATTERN } from '../shared/pack';
import { UsageError } from './cli';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);

/** One labelled image and the fish (video or track) it shows. */
export interface LabelledImage {
  file: string;
  label: string;
  /** Frames with the same key show the same fish; splits never separate them. */
  fishKey: string;
}

export interface ImageSet {
  labels: string[];
  images: LabelledImage[];
}

/**
 * The fish a frame shows, from its file name: Fish4Knowledge `fish_<track>_<frame>` → track;
 * EGU2017 `<date>_<time>_<camera>_…` → the video (first three fields); otherwise the file itself.
 */
export function fishKeyOf(fileName: string, pattern?: RegExp): string {
  const base = fileName.replace(/\.[^.]+$/, '');
  if (pattern) {
    const m = pattern.exec(base);
    return m?.[1] ?? m?.[0] ?? base;
  }
  const track = /^fish_(\d+)_\d+$/.exec(base);
  if (track) return `track-${track[1]}`;
  const fields = base.split('_');
  return fields.length >= 4 ? fields.slice(0, 3).join('_') : base;
}

/** Lists a folder-per-class image set; label ids are folder names, sorted. Throws UsageError on bad input. */
export async function listImageSet(
  dir: string,
  options: { fishPattern?: RegExp; minClasses?: number } = {},
): Promise<ImageSet> {
  let entries: string[];
  try {
    entries = (await readdir(dir)).sort();
  } catch {
    throw new UsageError(`cannot read data folder ${dir}`);
  }
  const labels: string[] = [];
  const images: LabelledImage[] = [];
  for (const name of entries) {
    const classDir = path.join(dir, name);
    if (!(await stat(classDir)).isDirectory() || name.startsWith('.')) continue;
    if (!NAME_PATTERN.test(name)) {
      throw new UsageError(
        `class folder "${name}" is not a valid label id (lowercase letters, digits, - and _)`,
      );
    }
    const files = (await readdir(classDir))
      .filter((f) => IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase()))
      .sort();
    if (files.length === 0)
      throw new UsageError(`class folder "${name}" has no images (.png, .jpg, .jpeg, .webp)`);
    labels.push(name);
    for (const f of files)
      images.push({
        file: path.join(classDir, f),
        label: name,
        fishKey: `${name}/${fishKeyOf(f, options.fishPattern)}`,
      });
  }
  const minClasses = options.minClasses ?? 2;
  if (labels.length < minClasses) {
    throw new UsageError(
      labels.length === 0
        ? `no class folders in ${dir} (expected one folder of images per species)`
        : `only ${labels.length} class in ${dir} (${labels.join(', ')}); a classifier needs at least ${minClasses}`,
    );
  }
  return { labels, images };
}

/** Deterministic pseudo-random numbers (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of an array in place, with the given random source. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(
  items: T,
  random: () => number,
): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Splits by fish: per class, shuffled fish go to validation (all their frames) while the class's
 * validation frames stay within `fraction` of its frames; at least one fish when the class has two
 * or more, so one long video cannot take most of a class. A class with a single fish stays in training.
 */
export function splitByFish(
  set: ImageSet,
  fraction: number,
  seed: number,
): { train: LabelledImage[]; validation: LabelledImage[] } {
  const random = seededRandom(seed);
  const validationKeys = new Set<string>();
  for (const label of set.labels) {
    const frames = new Map<string, number>();
    for (const image of set.images)
      if (image.label === label) frames.set(image.fishKey, (frames.get(image.fishKey) ?? 0) + 1);
    const keys = [...frames.keys()].sort();
    if (keys.length < 2) continue;
    shuffleInPlace(keys, random);
    const total = [...frames.values()].reduce((a, b) => a + b, 0);
    const budget = Math.max(fraction * total, Math.min(...frames.values()));
    let taken = 0;
    let fish = 0;
    for (const key of keys) {
      const n = frames.get(key)!;
      if (taken + n > budget || fish === keys.length - 1) continue;
      validationKeys.add(key);
      taken += n;
      fish++;
    }
  }
  return {
    train: set.images.filter((i) => !validationKeys.has(i.fishKey)),
    validation: set.images.filter((i) => validationKeys.has(i.fishKey)),
  };
}

/** Every image file under `dir`, at any depth (links followed), sorted: sets without classes. */
export async function listImagesDeep(dir: string): Promise<string[]> {
  const walk = async (folder: string): Promise<string[]> => {
    const out: string[] = [];
    for (const name of (await readdir(folder)).sort()) {
      if (name.startsWith('.')) continue;
      const file = path.join(folder, name);
      const info = await stat(file);
      if (info.isDirectory()) out.push(...(await walk(file)));
      else if (info.isFile() && IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase()))
        out.push(file);
    }
    return out;
  };
  let files: string[];
  try {
    files = await walk(dir);
  } catch {
    throw new UsageError(`cannot read folder ${dir}`);
  }
  if (files.length === 0) throw new UsageError(`no images (.png, .jpg, .jpeg, .webp) in ${dir}`);
  return files;
}

/**
 * Assigns every fish to one of `folds` folds: per class, shuffled fish are dealt in turn, so each
 * fold holds about 1/folds of each class's fish and a fish's frames are never in two folds.
 */
export function foldsByFish(set: ImageSet, folds: number, seed: number): number[] {
  const random = seededRandom(seed);
  const foldOf = new Map<string, number>();
  for (const label of set.labels) {
    const keys = [
      ...new Set(set.images.filter((i) => i.label === label).map((i) => i.fishKey)),
    ].sort();
    shuffleInPlace(keys, random);
    const start = Math.floor(random() * folds);
    keys.forEach((key, i) => foldOf.set(key, (start + i) % folds));
  }
  return set.images.map((i) => foldOf.get(i.fishKey)!);
}
