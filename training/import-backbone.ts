/**
 * Imports the ImageNet MobileNetV2 backbone from TF-slim `.npy` tensors into the TF.js layers
 * definition and writes it to models/backbone/mobilenet_v2_1.0_224/.
 * Usage: npm run import-backbone -- [--npy <dir>] [--out <dir>]
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend';
import { isMain, parseArgs, runCli } from './cli';
import { buildMobileNetV2Backbone, kerasWeightName, slimTensorName } from './mobilenet-v2';
import { saveLayersModel } from './model-files';
import { parseNpy, type NpyArray } from './npy';

export const DEFAULT_NPY_DIR = '../shared/data/mobilenet_v2_1.0_224';
export const BACKBONE_DIR = 'models/backbone/mobilenet_v2_1.0_224';
/** Checkpoint tensors that belong to the ImageNet classifier, not to the backbone. */
const UNUSED_TENSORS = new Set(['Logits_Conv2d_1c_1x1_biases']);

/** Reads every `.npy` tensor of a folder, keyed by file name without extension. */
export async function readNpyFolder(dir: string): Promise<Map<string, NpyArray>> {
  const tensors = new Map<string, NpyArray>();
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.npy')).sort()) {
    tensors.set(file.slice(0, -4), parseNpy(await readFile(path.join(dir, file))));
  }
  return tensors;
}

/**
 * Assigns checkpoint tensors to the model's weights; throws unless every backbone weight gets
 * exactly one tensor of the right shape and every tensor (except the classifier's) is used once.
 */
export function assignBackboneWeights(
  model: tf.LayersModel,
  tensors: Map<string, NpyArray>,
): { mapped: number } {
  const used = new Set<string>();
  for (const layer of model.layers) {
    // Layer#setWeights takes values in Layer#weights order (trainable first), so assign per layer.
    const values: tf.Tensor[] = [];
    for (const weight of layer.weights) {
      const slim = slimTensorName(kerasWeightName(layer.name, weight.originalName));
      const tensor = tensors.get(slim);
      if (!tensor) throw new Error(`checkpoint has no tensor ${slim} for ${weight.originalName}`);
      if (used.has(slim)) throw new Error(`tensor ${slim} mapped twice`);
      if (tensor.shape.join('x') !== weight.shape.join('x')) {
        throw new Error(
          `${slim}: shape ${tensor.shape.join('x')} but ${weight.originalName} needs ${weight.shape.join('x')}`,
        );
      }
      used.add(slim);
      values.push(tf.tensor(tensor.data, weight.shape as number[]));
    }
    if (values.length > 0) layer.setWeights(values);
    tf.dispose(values);
  }
  const unused = [...tensors.keys()].filter((k) => !used.has(k) && !UNUSED_TENSORS.has(k));
  if (unused.length > 0) throw new Error(`checkpoint tensors not mapped: ${unused.join(', ')}`);
  return { mapped: used.size };
}

/** Builds the backbone and loads the ImageNet weights from the `.npy` folder. */
export async function importBackbone(npyDir: string): Promise<tf.LayersModel> {
  const model = buildMobileNetV2Backbone();
  assignBackboneWeights(model, await readNpyFolder(npyDir));
  return model;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { npy: 'string', out: 'string' });
  await initBackend();
  const model = await importBackbone(String(args.npy ?? DEFAULT_NPY_DIR));
  const out = String(args.out ?? BACKBONE_DIR);
  const saved = await saveLayersModel(model, out, { dtype: 'float32' });
  console.log(`backbone: ${model.countParams()} parameters → ${out} (${saved.files.join(', ')})`);
}

if (isMain(import.meta.url)) runCli(main);
