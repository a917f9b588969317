/** Writes and reads TF.js layers models as model.json + weight shards on disk, optionally float16. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MODEL_FILE } from '../shared/pack';
import { toFloat16 } from './float16';

export type WeightDtype = 'float32' | 'float16';

/** Default shard size: well under the 4 MB limit for committed files and cache entries. */
export const SHARD_BYTES = 2 * 1024 * 1024;

interface SavedModel {
  /** File names written, relative to the folder (model.json first). */
  files: string[];
  weightBytes: number;
}

function concatBuffers(data: ArrayBuffer | ArrayBuffer[]): ArrayBuffer {
  if (!Array.isArray(data)) return data;
  return tf.io.concatenateArrayBuffers(data);
}

/** Re-encodes float32 weights as float16 (TF.js decodes them back to float32 on load). */
function quantizeFloat16(
  specs: tf.io.WeightsManifestEntry[],
  data: ArrayBuffer,
): { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const out = specs.map((spec) => {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype !== 'float32') throw new Error(`cannot quantize ${spec.name} (${spec.dtype})`);
    const halves = toFloat16(new Float32Array(data.slice(offset, offset + count * 4)));
    offset += count * 4;
    parts.push(new Uint8Array(halves.buffer));
    return {
      ...spec,
      quantization: { dtype: 'float16' as const, original_dtype: 'float32' as const },
    };
  });
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.byteLength;
  }
  return { specs: out, data: joined.buffer };
}

/** Saves a layers model to `dir` as model.json + `group1-shardNofM.bin` files. */
export async function saveLayersModel(
  model: tf.LayersModel,
  dir: string,
  options: { dtype?: WeightDtype; shardBytes?: number } = {},
): Promise<SavedModel> {
  const shardBytes = options.shardBytes ?? SHARD_BYTES;
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((a) => {
      artifacts = a;
      return Promise.resolve({
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
      });
    }),
  );
  if (!artifacts?.weightSpecs || !artifacts.weightData)
    throw new Error('model has no weights to save');
  let specs = artifacts.weightSpecs;
  let data = concatBuffers(artifacts.weightData);
  if (options.dtype === 'float16') ({ specs, data } = quantizeFloat16(specs, data));
  const count = Math.max(1, Math.ceil(data.byteLength / shardBytes));
  const shardNames = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    await writeFile(
      path.join(dir, shardNames[i]!),
      new Uint8Array(data.slice(i * shardBytes, (i + 1) * shardBytes)),
    );
  }
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: 'fishlens training',
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: shardNames, weights: specs }],
  };
  await writeFile(path.join(dir, MODEL_FILE), JSON.stringify(modelJson));
  return { files: [MODEL_FILE, ...shardNames], weightBytes: data.byteLength };
}

/** Loads a layers model saved by {@link saveLayersModel} (or by the TF.js converter) from a folder. */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const modelJson = JSON.parse(await readFile(path.join(dir, MODEL_FILE), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of modelJson.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const bytes = await readFile(path.join(dir, p));
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
  }
  const handler: tf.io.IOHandler = {
    load: () =>
      Promise.resolve({
        modelTopology: modelJson.modelTopology,
        weightSpecs: specs,
        weightData: tf.io.concatenateArrayBuffers(buffers),
      }),
  };
  return tf.loadLayersModel(handler);
}
