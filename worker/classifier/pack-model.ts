/**
 * Builds a pack's model inside the classifier worker from model.json and its weight files (all in
 * memory). The model check runs first, so a model the app cannot run is refused with the reason.
 * Layers models: the fused executor when the topology allows, else the stock TF.js layers model;
 * graph models: tf.loadGraphModel (graph-model.ts). Logits get a softmax.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelOutput } from '../../shared/decision';
import { FishlensError } from '../../shared/errors';
import { checkModel, type ModelCheck, type ModelProblem } from '../../shared/model-check';
import { buildFusedGraph, UnsupportedTopologyError } from './fused-graph';
import type { Executor } from './protocol';

/** A loaded model: HWC float input in, probabilities (and the feature layer's output) out. */
export interface PackModel {
  /** What runs the model: `graph` for graph models, else the requested layers executor. */
  readonly executor: Executor | 'graph';
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

/** The app's words for the first thing that keeps a model from running here. */
function problemError(problem: ModelProblem, check: ModelCheck, labelCount: number): FishlensError {
  if (problem.kind === 'ops')
    return new FishlensError('model-ops-unsupported', problem.message, {
      names: (problem.names ?? []).join(', '),
    });
  if (problem.kind === 'labels')
    return new FishlensError('model-labels-mismatch', problem.message, {
      outputs: check.outputSize ?? 0,
      labels: labelCount,
    });
  return new FishlensError('model-unsupported', problem.message);
}

export interface LoadOptions {
  /** For layers models: `fused` (default) where the topology allows, or the stock `layers`. */
  executor?: Executor;
  /** The pack's number of labels: the model must give exactly one score per label. */
  labelCount?: number;
  /** The pack's input size, for models whose input takes any height and width. */
  input?: { width: number; height: number };
  /** A layers model's layer whose output each pass also returns (the pack's `unknown.layer`). */
  featureLayer?: string;
}

/** Builds the pack's model from model.json and its weight files (all in memory). */
export async function loadPackModel(
  modelJson: unknown,
  weightFiles: Record<string, ArrayBuffer>,
  options: LoadOptions = {},
): Promise<PackModel> {
  const { labelCount } = options;
  const check = checkModel(modelJson, labelCount === undefined ? {} : { labelCount });
  const problem = check.problems[0];
  if (problem) throw problemError(problem, check, labelCount ?? 0);
  const json = modelJson as {
    modelTopology: object;
    weightsManifest: WeightsGroup[];
  } & Record<string, unknown>;
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
  const runner = await buildRunner(json, specs, weightData, check, options);
  const [height, width] = runner.inputSize;
  let softmax = check.output === 'logits';
  const model: PackModel = {
    executor: runner.executor,
    async predict(input) {
      const x = tf.tensor4d(input, [1, height, width, 3]);
      let out: RunnerOutput;
      try {
        out = await runner.run(x);
      } finally {
        x.dispose();
      }
      return readAndDispose(softmax ? tf.softmax(out.output) : out.output, out);
    },
    dispose: () => runner.dispose(),
  };
  if (check.output === 'unknown' || check.outputSize === null) {
    // model.json did not say: one pass on a blank photo tells the score count, and whether the
    // scores already are probabilities (non-negative, summing to 1) or still need a softmax.
    try {
      const probe = (await model.predict(new Float32Array(height * width * 3))).probabilities;
      if (labelCount !== undefined && probe.length !== labelCount)
        throw new FishlensError('model-labels-mismatch', `${probe.length} scores`, {
          outputs: probe.length,
          labels: labelCount,
        });
      const scores = Array.from(probe);
      const sum = scores.reduce((a, b) => a + b, 0);
      softmax ||=
        check.output === 'unknown' && (scores.some((p) => p < 0) || Math.abs(sum - 1) > 1e-3);
    } catch (error) {
      model.dispose();
      throw error;
    }
  }
  return model;
}

/** One pass's raw output, and the feature layer's output when one was asked for. */
interface RunnerOutput {
  output: tf.Tensor;
  features?: tf.Tensor;
}

/** Runs the network: NHWC batch of one in, its raw output tensors out. */
interface Runner {
  executor: PackModel['executor'];
  inputSize: [number, number];
  run(x: tf.Tensor4D): RunnerOutput | Promise<RunnerOutput>;
  dispose(): void;
}

async function buildRunner(
  json: { modelTopology: object } & Record<string, unknown>,
  specs: tf.io.WeightsManifestEntry[],
  weightData: ArrayBuffer,
  check: ModelCheck,
  { executor = 'fused', input: size, featureLayer }: LoadOptions,
): Promise<Runner> {
  if (check.format === 'graph-model') {
    const { loadGraphModel } = await import('./graph-model');
    const graph = await loadGraphModel(json, specs, weightData, check).catch((error: unknown) => {
      throw new FishlensError('model-invalid', String(error));
    });
    return {
      executor: 'graph',
      inputSize: inputSize(check.inputShape?.[1], check.inputShape?.[2], size),
      // Graph models are bare exports: they carry no unknown-detection layer.
      run: async (x) => ({ output: await graph.run(x) }),
      dispose: () => graph.dispose(),
    };
  }
  if (executor === 'fused') {
    const weights = tf.io.decodeWeights(weightData, specs);
    try {
      const graph = buildFusedGraph(json, weights);
      const [height, width] = graph.inputShape;
      return {
        executor: 'fused',
        inputSize: [height, width],
        run: (x) => {
          if (!featureLayer) return { output: graph.predict(x) };
          const [output, features] = graph.predictWith(x, featureLayer);
          return { output, features };
        },
        dispose: () => graph.dispose(),
      };
    } catch (error) {
      if (!(error instanceof UnsupportedTopologyError))
        throw new FishlensError('model-invalid', String(error));
    } finally {
      tf.dispose(weights);
    }
  }
  const { loadLayersModel, withFeatureLayer } = await import('./layers-model');
  let model: Awaited<ReturnType<typeof loadLayersModel>>;
  try {
    model = await loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }),
    );
  } catch (error) {
    throw new FishlensError(
      'model-invalid',
      error instanceof Error ? error.message : String(error),
    );
  }
  const shape = model.inputs[0]?.shape ?? [];
  let runner = model;
  if (featureLayer) {
    try {
      runner = withFeatureLayer(model, featureLayer);
    } catch (error) {
      model.dispose();
      throw new FishlensError('model-invalid', `no layer ${featureLayer}: ${String(error)}`);
    }
  }
  return {
    executor: 'layers',
    inputSize: inputSize(shape[1], shape[2], size),
    run: (x) => {
      const out = runner.predict(x);
      return Array.isArray(out) ? { output: out[0]!, features: out[1] } : { output: out };
    },
    dispose: () => model.dispose(),
  };
}

/** The model's own input height and width, else (where it takes any size) the pack's. */
function inputSize(
  height: number | null | undefined,
  width: number | null | undefined,
  pack: LoadOptions['input'],
): [number, number] {
  return [height ?? pack?.height ?? 0, width ?? pack?.width ?? 0];
}

/** Reads the probabilities (and features) of one pass, then frees every tensor of it. */
async function readAndDispose(probabilities: tf.Tensor, raw: RunnerOutput): Promise<ModelOutput> {
  try {
    return {
      probabilities: await probabilities.data(),
      ...(raw.features ? { features: await raw.features.data() } : {}),
    };
  } finally {
    tf.dispose([probabilities, raw.output, ...(raw.features ? [raw.features] : [])]);
  }
}
