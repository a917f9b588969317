/**
 * Builds a pack's model inside the classifier worker from model.json and its weight files (all in
 * memory): the fused executor when the topology allows, else the stock TF.js layers model.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelOutput } from '../../shared/decision';
import { FishlensError } from '../../shared/errors';
import { buildFusedGraph, UnsupportedTopologyError } from './fused-graph';
import type { Executor } from './protocol';

/** A loaded model: HWC float input in, probabilities (and the feature layer's output) out. */
export interface PackModel {
  readonly executor: Executor;
  /** Runs one forward pass; `input` is read only until the returned promise settles (the caller may reuse it then). */
  predict(input: Float32Array): Promise<ModelOutput>;
  dispose(): void;
}

interface WeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  float16: 2,
  uint16: 2,
  uint8: 1,
  bool: 1,
};

function weightBytes(spec: tf.io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  return count * (DTYPE_BYTES[spec.quantization?.dtype ?? spec.dtype] ?? 4);
}

/**
 * Builds the pack's model from model.json and its weight files (all in memory). With
 * `featureLayer` (the pack's `unknown.layer`), every forward pass also returns that layer's output.
 */
export async function loadPackModel(
  modelJson: unknown,
  weightFiles: Record<string, ArrayBuffer>,
  executor: Executor = 'fused',
  featureLayer?: string,
): Promise<PackModel> {
  const json = modelJson as { modelTopology?: object; weightsManifest?: WeightsGroup[] };
  if (!json?.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new FishlensError('model-invalid', 'model.json has no modelTopology or weightsManifest');
  }
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const buffers = json.weightsManifest.flatMap((group) =>
    group.paths.map((path) => {
      const buffer = weightFiles[path];
      if (!buffer) throw new FishlensError('model-invalid', `weight file ${path} is missing`);
      return buffer;
    }),
  );
  const weightData = tf.io.concatenateArrayBuffers(buffers);
  const expected = specs.reduce((sum, spec) => sum + weightBytes(spec), 0);
  if (weightData.byteLength < expected) {
    throw new FishlensError(
      'model-invalid',
      `weights are ${weightData.byteLength} bytes, model.json needs ${expected}`,
    );
  }
  if (executor === 'fused') {
    const weights = tf.io.decodeWeights(weightData, specs);
    try {
      const graph = buildFusedGraph(json, weights);
      const [height, width] = graph.inputShape;
      return {
        executor: 'fused',
        predict: (input) =>
          readAndDispose(
            tf.tidy(() => {
              const x = tf.tensor4d(input, [1, height, width, 3]);
              return featureLayer ? graph.predictWith(x, featureLayer) : [graph.predict(x)];
            }),
          ),
        dispose: () => graph.dispose(),
      };
    } catch (error) {
      if (!(error instanceof UnsupportedTopologyError))
        throw new FishlensError('model-invalid', String(error));
    } finally {
      tf.dispose(weights);
    }
  }
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }),
    );
  } catch (error) {
    throw new FishlensError(
      'model-invalid',
      error instanceof Error ? error.message : String(error),
    );
  }
  const shape = model.inputs[0]?.shape ?? [];
  const height = shape[1] ?? 0;
  const width = shape[2] ?? 0;
  let runner = model;
  if (featureLayer) {
    try {
      const features = model.getLayer(featureLayer).output as tf.SymbolicTensor;
      runner = tf.model({ inputs: model.inputs, outputs: [model.outputs[0]!, features] });
    } catch (error) {
      model.dispose();
      throw new FishlensError('model-invalid', `no layer ${featureLayer}: ${String(error)}`);
    }
  }
  return {
    executor: 'layers',
    predict: (input) =>
      readAndDispose(
        tf.tidy(() => {
          const out = runner.predict(tf.tensor4d(input, [1, height, width, 3]));
          return Array.isArray(out) ? out : [out];
        }),
      ),
    dispose: () => model.dispose(),
  };
}

/** Reads [probabilities, features?] of one forward pass and frees them. */
async function readAndDispose(outputs: tf.Tensor[]): Promise<ModelOutput> {
  try {
    const [probabilities, features] = outputs;
    if (!probabilities) throw new FishlensError('model-invalid', 'the model gave no output');
    return {
      probabilities: await probabilities.data(),
      ...(features ? { features: await features.data() } : {}),
    };
  } finally {
    tf.dispose(outputs);
  }
}
