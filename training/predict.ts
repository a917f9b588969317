/** Runs a full pack model on image files exactly as the app does: decode, shared preprocessing, predict. */
import * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../shared/pack';
import { preprocess, preprocessRegion, resizeRegion, type InputSize } from '../shared/preprocess';
import { decodeImageFile } from './decode';

export interface PredictOptions {
  preprocessing: Preprocessing;
  size: InputSize;
  batchSize?: number;
  /** Test-time augmentation: also predict the mirrored image and average. */
  mirrorTta?: boolean;
  onImage?: () => void;
}

/** Class probabilities (files × classes, row-major) of a pack model for image files. */
export async function predictFiles(
  model: tf.LayersModel,
  files: string[],
  options: PredictOptions,
): Promise<Float32Array> {
  const { preprocessing, size } = options;
  const batchSize = options.batchSize ?? 16;
  const classes = (model.outputs[0]!.shape[1] as number | null) ?? 0;
  const out = new Float32Array(files.length * classes);
  const pixels = size.width * size.height * 3;
  for (let start = 0; start < files.length; start += batchSize) {
    const chunk = files.slice(start, start + batchSize);
    const views = options.mirrorTta ? 2 : 1;
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
    const probabilities = tf.tidy(() => {
      const batch = tf.tensor4d(input, [chunk.length * views, size.height, size.width, 3]);
      const p = model.predict(batch) as tf.Tensor2D;
      return (
        views > 1 ? p.reshape([chunk.length, views, classes]).mean(1) : p
      ).dataSync() as Float32Array;
    });
    out.set(probabilities, start * classes);
  }
  return out;
}
