/**
 * What stock TF.js says about a photo, the reference the app must match: the model loaded with
 * plain tf.loadLayersModel / tf.loadGraphModel (no Fishlens code) on the CPU backend in Node, fed
 * the photo as sharp decodes it and the shared preprocessing prepares it with the pack's metadata.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { PackMetadata } from '../../shared/pack';
import { preprocess } from '../../shared/preprocess';

/** The model's output for each photo, by stock TF.js. */
export async function stockProbabilities(
  modelDir: string,
  metadata: Pick<PackMetadata, 'preprocessing' | 'input'>,
  photos: string[],
): Promise<number[][]> {
  await tf.setBackend('cpu');
  const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as {
    modelTopology: { node?: unknown };
    weightsManifest: tf.io.WeightsManifestConfig;
  };
  const weightData = tf.io.concatenateArrayBuffers(
    json.weightsManifest.flatMap((g) =>
      g.paths.map((p) => {
        const bytes = readFileSync(join(modelDir, p));
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      }),
    ),
  );
  const artifacts = {
    ...json,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData,
  } as tf.io.ModelArtifacts;
  const graph = Array.isArray(json.modelTopology.node);
  const model = graph
    ? await tf.loadGraphModel(tf.io.fromMemory(artifacts))
    : await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const { width, height } = metadata.input;
  const results: number[][] = [];
  for (const photo of photos) {
    const { data, info } = await sharp(photo)
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const input = preprocess(
      { width: info.width, height: info.height, data },
      metadata.preprocessing,
      metadata.input,
    );
    const output = model.predict(tf.tensor4d(input, [1, height, width, 3])) as tf.Tensor;
    results.push(Array.from(await output.data()));
    output.dispose();
  }
  model.dispose();
  return results;
}
