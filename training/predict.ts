/** Runs a full pack model on image files exactly as the app does: decode, shared preprocessing, predict. */
import * as tf from '@tensorflow/tfjs';
import type { ModelOutput } from '../shared/decision';
import type { Preprocessing } from '../shared/pack';
import { preprocess, preprocessRegion, resizeRegion, type InputSize } from '../shared/preprocess';
import { decodeImageFile } from './decode';

export interface PredictOptions {
  preprocessing: Preprocessing;
  size: InputSize;
  batchSize?: number;
  /** Test-time augmentation: also predict the mirrored image and average. */
  mirrorTta?: boolean;
  /** Also return this layer's output (the pack's `unknown.layer`), from the same forward pass. */
  featureLayer?: string;
  onImage?: () => void;
}

/** The model with a second output: the named layer's activations. */
function withFeatures(model: tf.LayersModel, layer: string): tf.LayersModel {
  return tf.model({
    inputs: model.inputs,
    outputs: [model.outputs[0]!, model.getLayer(layer).output as tf.SymbolicTensor],
  });
}

/** Model outputs (probabilities, and the feature layer's values when asked) for image files. */
export async function predictOutputs(
  model: tf.LayersModel,
  files: string[],
  options: PredictOptions,
): Promise<ModelOutput[]> {
  const { preprocessing, size } = options;
  const batchSize = options.batchSize ?? 16;
  const classes = (model.outputs[0]!.shape[1] as number | null) ?? 0;
  const runner = options.featureLayer ? withFeatures(model, options.featureLayer) : model;
  const out: ModelOutput[] = [];
  const pixels = size.width * size.height * 3;
  const views = options.mirrorTta ? 2 : 1;
  for (let start = 0; start < files.length; start += batchSize) {
    const chunk = files.slice(start, start + batchSize);
    const input = new Float32Array(chunk.length * views * pixels);
    for (let i = 0; i < chunk.length; i++) {
      const image = await decodeImageFile(chunk[i]!, preprocessing.exifOrientation);
      input.set(preprocess(image, preprocessing, size), i * views * pixels);
      if (options.mirrorTta) {
        const region = resizeRegion(image, preprocessing.resize, size);
        input.set(
          preprocessRegion(image, region, size, preprocessing, true),
          (i * views + 1) * pixels,
        );
      }
      options.onImage?.();
    }
    const [probabilities, features] = tf.tidy(() => {
      const batch = tf.tensor4d(input, [chunk.length * views, size.height, size.width, 3]);
      const result = runner.predict(batch);
      const [p, f] = (Array.isArray(result) ? result : [result]) as tf.Tensor2D[];
      const mean = (t: tf.Tensor2D) =>
        views > 1 ? t.reshape([chunk.length, views, t.shape[1]]).mean(1) : t;
      return [mean(p!).dataSync() as Float32Array, f && (mean(f).dataSync() as Float32Array)];
    });
    const width = features ? features.length / chunk.length : 0;
    chunk.forEach((_, i) =>
      out.push({
        probabilities: probabilities.slice(i * classes, (i + 1) * classes),
        ...(features ? { features: features.slice(i * width, (i + 1) * width) } : {}),
      }),
    );
  }
  return out;
}

/** Class probabilities (files × classes, row-major) of a pack model for image files. */
export async function predictFiles(
  model: tf.LayersModel,
  files: string[],
  options: PredictOptions,
): Promise<Float32Array> {
  const outputs = await predictOutputs(model, files, options);
  const classes = outputs[0]?.probabilities.length ?? 0;
  const out = new Float32Array(outputs.length * classes);
  outputs.forEach((o, i) => out.set(o.probabilities, i * classes));
  return out;
}
