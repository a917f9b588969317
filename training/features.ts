/** Backbone features (1280-d, pooled) per image and view, cached on disk between training runs. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../shared/pack';
import type { InputSize } from '../shared/preprocess';
import { AUGMENTATION_VERSION, augmentedView, type Augmentation } from './augment';
import { decodeImageFile } from './decode';
import { buildMobileNetV2Backbone } from './mobilenet-v2';
import { loadLayersModel } from './model-files';

export const FEATURE_CACHE_DIR = '.cache/features';

/** The frozen feature extractor and an id that changes when its weights change. */
export interface Backbone {
  model: tf.LayersModel;
  id: string;
}

/**
 * Loads the committed backbone; its id is a hash of its files. With `size`, the same weights run on
 * inputs of that size (the committed model.json fixes 224 × 224).
 */
export async function loadBackbone(dir: string, size?: InputSize): Promise<Backbone> {
  const modelJson = await readFile(path.join(dir, 'model.json'));
  const hash = createHash('sha256').update(modelJson);
  const manifest = JSON.parse(modelJson.toString('utf8')) as {
    weightsManifest: { paths: string[] }[];
  };
  for (const group of manifest.weightsManifest)
    for (const p of group.paths) hash.update(await readFile(path.join(dir, p)));
  const id = hash.digest('hex').slice(0, 16);
  const model = await loadLayersModel(dir);
  const [, height, width] = model.inputs[0]!.shape;
  if (!size || (size.width === width && size.height === height)) return { model, id };
  const resized = buildMobileNetV2Backbone(size);
  resized.setWeights(model.getWeights());
  model.dispose();
  return { model: resized, id };
}

const truncatedModels = new WeakMap<tf.LayersModel, Map<string, tf.LayersModel>>();

/** The backbone up to (and including) one of its layers; made once per model and layer. */
function truncated(model: tf.LayersModel, layer: string): tf.LayersModel {
  let byLayer = truncatedModels.get(model);
  if (!byLayer) truncatedModels.set(model, (byLayer = new Map<string, tf.LayersModel>()));
  let out = byLayer.get(layer);
  if (!out) {
    out = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer(layer).output,
    });
    byLayer.set(layer, out);
  }
  return out;
}

/** Runs the backbone on a batch of preprocessed inputs; returns one output row (flattened) per input. */
export function embed(
  model: tf.LayersModel,
  inputs: Float32Array[],
  size: InputSize,
): Float32Array {
  return tf.tidy(() => {
    const batch = tf.tensor4d(concat(inputs), [inputs.length, size.height, size.width, 3]);
    return (model.predict(batch) as tf.Tensor).dataSync() as Float32Array;
  });
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface FeatureOptions {
  backbone: Backbone;
  /** Cache the output of this backbone layer (flattened) instead of the pooled 1280-d features. */
  layer?: string;
  preprocessing: Preprocessing;
  size: InputSize;
  /** Views per image: 1 = only the canonical input, more = augmented variants too. */
  views: number;
  /** Recipe of the augmented views (default `light`). */
  augmentation?: Augmentation;
  cacheDir?: string;
  onImage?: () => void;
}

/** Features of every view of every file (views × row floats per file), computed once and cached. */
export async function imageFeatures(
  files: string[],
  options: FeatureOptions,
): Promise<Float32Array[]> {
  const { backbone, preprocessing, size, views, layer } = options;
  const recipe = options.augmentation ?? 'light';
  const extractor = layer ? truncated(backbone.model, layer) : backbone.model;
  const rowSize = (extractor.outputs[0]!.shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const policy = createHash('sha256')
    .update(
      JSON.stringify([
        backbone.id,
        preprocessing,
        size,
        AUGMENTATION_VERSION[recipe],
        ...(layer ? [layer] : []),
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  const cacheDir = path.join(options.cacheDir ?? FEATURE_CACHE_DIR, policy);
  await mkdir(cacheDir, { recursive: true });
  const out: Float32Array[] = [];
  for (const file of files) {
    const bytes = await readFile(file);
    const imageHash = createHash('sha256').update(bytes).digest('hex');
    const cacheFile = path.join(cacheDir, `${imageHash.slice(0, 32)}.f32`);
    let cached = new Float32Array(0);
    try {
      const raw = await readFile(cacheFile);
      cached = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    } catch {
      // not cached yet
    }
    const have = Math.floor(cached.length / rowSize);
    if (have >= views) {
      out.push(cached.subarray(0, views * rowSize));
    } else {
      const image = await decodeImageFile(file, preprocessing.exifOrientation);
      const seed = parseInt(imageHash.slice(0, 8), 16);
      const inputs = Array.from({ length: views - have }, (_, i) =>
        augmentedView(image, preprocessing, size, have + i, seed, recipe),
      );
      const all = concat([cached.subarray(0, have * rowSize), embed(extractor, inputs, size)]);
      await writeFile(cacheFile, new Uint8Array(all.buffer));
      out.push(all);
    }
    options.onImage?.();
  }
  return out;
}
