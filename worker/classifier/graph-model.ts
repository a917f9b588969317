/**
 * A TF.js graph model (tensorflowjs_converter output for a SavedModel: what Keras 3 and
 * TF 2.16+ pipelines give) built from the pack's verified files in memory with
 * `tf.loadGraphModel(tf.io.fromMemory(…))`, fed one NHWC float photo through the input the model
 * check found (the signature's, else the graph's Placeholder) and read at its one output.
 * tfjs-converter is a chunk of its own: pack-model.ts imports this module only for graph models.
 */
import * as tfc from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelCheck } from '../../shared/model-check';

/** A loaded graph model: NHWC float input in, the raw output (scores) out. */
export interface GraphPackModel {
  run(input: tf.Tensor4D): Promise<tf.Tensor>;
  dispose(): void;
}

/** TF.js refuses `execute` on graphs with control flow or data-dependent shapes and names the fix. */
const NEEDS_ASYNC = /executeAsync/;

/** Loads the graph from model.json and the concatenated weight files (already size-checked). */
export async function loadGraphModel(
  modelJson: Record<string, unknown>,
  weightSpecs: tf.io.WeightsManifestEntry[],
  weightData: ArrayBuffer,
  check: ModelCheck,
): Promise<GraphPackModel> {
  const model = await tfc.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology as object,
      weightSpecs,
      weightData,
      format: 'graph-model',
      ...(modelJson.signature ? { signature: modelJson.signature } : {}),
      ...(modelJson.userDefinedMetadata
        ? { userDefinedMetadata: modelJson.userDefinedMetadata as Record<string, object> }
        : {}),
      ...(modelJson.modelInitializer ? { modelInitializer: modelJson.modelInitializer } : {}),
    }),
  );
  const inputName = check.inputName ?? model.inputNodes[0] ?? '';
  const outputName = check.outputName ?? model.outputNodes[0] ?? '';
  let asynchronous = false;
  return {
    async run(input) {
      const feed = { [inputName]: input };
      if (!asynchronous) {
        try {
          return model.execute(feed, outputName) as tf.Tensor;
        } catch (error) {
          if (!(error instanceof Error && NEEDS_ASYNC.test(error.message))) throw error;
          asynchronous = true;
        }
      }
      return (await model.executeAsync(feed, outputName)) as tf.Tensor;
    },
    dispose: () => model.dispose(),
  };
}
