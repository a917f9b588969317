/**
 * Every graph op, layer class and activation the app supports runs with only the kernels the
 * classifier worker registers (./ops.ts), on the CPU and WASM backends, and gives what it gives
 * with all of TF.js; and each one uses no kernel beyond those listed for it. WebGL and WebGPU
 * register the same kernel names (their modules are typed against ./ops.ts); the browser tests
 * run the real packs on them.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTIVATION_MODELS,
  GRAPH_OP_MODELS,
  LAYER_ALSO_USES,
  LAYER_MODELS,
} from '../../../tests/support/op-model-specs';
import { layersArtifacts, sampleInput } from '../../../tests/support/op-models';
import { buildFusedGraph } from '../fused-graph';
import { ACTIVATION_KERNELS, EXECUTOR_KERNELS, GRAPH_OP_KERNELS, LAYER_CLASS_KERNELS } from './ops';

const REQUIRED = new Set<string>([
  ...Object.values(GRAPH_OP_KERNELS).flat(),
  ...Object.values(LAYER_CLASS_KERNELS).flat(),
  ...Object.values(ACTIVATION_KERNELS).flat(),
  ...EXECUTOR_KERNELS,
]);

/** A model to run: how to build it once, then run it on the current backend. */
interface Case {
  name: string;
  /** Kernels it may use: its entry's, plus its context's (a layers model, a Dense layer). */
  allowed: readonly string[];
  load: () => Promise<(input: tf.Tensor) => tf.Tensor>;
  input: () => tf.Tensor;
}

const kernelsOf = <T extends Record<string, readonly string[]>>(map: T, names: string[] = []) =>
  names.flatMap((name) => map[name] ?? []);

function graphCase(op: string): Case {
  const { builder, output, positive, alsoRuns } = GRAPH_OP_MODELS[op]!();
  return {
    name: `graph op ${op}`,
    allowed: kernelsOf(GRAPH_OP_KERNELS, [op, ...(alsoRuns ?? [])]),
    load: async () => {
      const model = await tf.loadGraphModel(tf.io.fromMemory(builder.artifacts(output).artifacts));
      return (x) => model.execute({ x }, output) as tf.Tensor;
    },
    input: () => {
      const x = sampleInput(builder.inputShape);
      return positive ? tf.tidy(() => tf.add(tf.mul(tf.abs(x), 0.5), 1)) : x;
    },
  };
}

const MODEL_KERNELS = LAYER_CLASS_KERNELS.Model;
const DENSE_KERNELS = [...LAYER_CLASS_KERNELS.Dense, ...MODEL_KERNELS];

async function layersCase(
  name: string,
  build: Parameters<typeof layersArtifacts>[0],
  allowed: readonly string[],
): Promise<Case> {
  const artifacts = await layersArtifacts(build);
  return {
    name,
    allowed,
    load: async () => {
      const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      return (x) => model.predict(x) as tf.Tensor;
    },
    input: () => sampleInput(),
  };
}

/** A MobileNet-like block through the fused executor, with every kind of op it folds or runs. */
async function fusedCase(): Promise<Case> {
  const bn = (options = {}) => tf.layers.batchNormalization(options);
  const artifacts = await layersArtifacts((input) => {
    const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) =>
      layer.apply(x) as tf.SymbolicTensor;
    let x = apply(tf.layers.zeroPadding2d({ padding: 1 }), input);
    x = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'valid' }), x);
    x = apply(bn(), x);
    const stem = apply(tf.layers.reLU({ maxValue: 6 }), x);
    x = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }), stem);
    x = apply(bn({ center: false, scale: false }), x);
    x = apply(tf.layers.activation({ activation: 'relu' }), x);
    x = apply(tf.layers.add({}), [stem, x]);
    const pooled = apply(tf.layers.averagePooling2d({ poolSize: 2 }), x);
    const mean = apply(tf.layers.globalAveragePooling2d({}), pooled);
    const flat = apply(tf.layers.flatten({}), pooled);
    const logits = [mean, flat].map((v) => apply(tf.layers.dense({ units: 5 }), v));
    x = apply(tf.layers.add({}), logits);
    return apply(tf.layers.activation({ activation: 'softmax' }), x);
  });
  return {
    name: 'the fused executor',
    allowed: EXECUTOR_KERNELS,
    load: () => {
      const weights = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
      const graph = buildFusedGraph({ modelTopology: artifacts.modelTopology }, weights);
      tf.dispose(weights);
      return Promise.resolve((x: tf.Tensor) => graph.predict(x as tf.Tensor4D));
    },
    input: () => sampleInput(),
  };
}

async function allCases(): Promise<Case[]> {
  const cases = Object.keys(GRAPH_OP_KERNELS).map(graphCase);
  for (const [name, build] of Object.entries(LAYER_MODELS)) {
    const also = LAYER_ALSO_USES[name];
    const allowed = [
      ...kernelsOf(LAYER_CLASS_KERNELS, [name, ...(also?.layers ?? [])]),
      ...kernelsOf(ACTIVATION_KERNELS, also?.activations),
      ...MODEL_KERNELS,
    ];
    cases.push(await layersCase(`layer ${name}`, build, allowed));
  }
  for (const [name, build] of Object.entries(ACTIVATION_MODELS)) {
    const own = ACTIVATION_KERNELS[name as keyof typeof ACTIVATION_KERNELS];
    cases.push(await layersCase(`activation ${name}`, build, [...own, ...DENSE_KERNELS]));
  }
  cases.push(await fusedCase());
  return cases;
}

it('has a model for every supported op, layer class and activation', () => {
  expect(Object.keys(GRAPH_OP_MODELS).sort()).toEqual(Object.keys(GRAPH_OP_KERNELS).sort());
  const layers = Object.keys(LAYER_CLASS_KERNELS).filter((name) => name !== 'Sequential');
  expect(Object.keys(LAYER_MODELS).sort()).toEqual(layers.sort());
  expect(Object.keys(ACTIVATION_MODELS).sort()).toEqual(Object.keys(ACTIVATION_KERNELS).sort());
});

describe.each(['cpu', 'wasm'])('on %s with only the worker’s kernels', (backend) => {
  let cases: Case[];
  const reference = new Map<string, Float32Array | Int32Array | Uint8Array>();
  const used = new Set<string>();
  let removed: tf.KernelConfig[] = [];

  beforeAll(async () => {
    await tf.setBackend(backend);
    cases = await allCases();
    for (const c of cases) {
      const run = await c.load();
      reference.set(c.name, await run(c.input()).data());
    }
    // From here on the backend has exactly the worker's kernels, each recording its use.
    removed = tf.getKernelsForBackend(backend);
    for (const config of removed) tf.unregisterKernel(config.kernelName, backend);
    for (const config of removed.filter((k) => REQUIRED.has(k.kernelName))) {
      const kernelFunc = config.kernelFunc;
      tf.registerKernel({
        ...config,
        kernelFunc: (args) => {
          used.add(config.kernelName);
          return kernelFunc(args);
        },
      });
    }
  }, 120_000);

  afterAll(() => {
    for (const config of tf.getKernelsForBackend(backend))
      tf.unregisterKernel(config.kernelName, backend);
    for (const config of removed) tf.registerKernel(config);
  });

  it('registers every kernel the worker needs', () => {
    const missing = [...REQUIRED].filter((k) => !tf.getKernel(k, backend));
    expect(missing).toEqual([]);
  });

  it('runs each op, layer and activation, as with all of TF.js, using only its listed kernels', async () => {
    const problems: string[] = [];
    for (const c of cases) {
      used.clear();
      try {
        const run = await c.load();
        const input = c.input();
        used.clear();
        const actual = await run(input).data();
        const expected = reference.get(c.name)!;
        const worst = Math.max(...Array.from(actual, (v, i) => Math.abs(v - expected[i]!)));
        if (actual.length !== expected.length || !(worst <= 1e-5))
          problems.push(`${c.name}: differs by ${worst}`);
        const extra = [...used].filter((k) => !c.allowed.includes(k));
        if (extra.length > 0) problems.push(`${c.name}: also uses ${extra.join(', ')}`);
      } catch (error) {
        problems.push(`${c.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
