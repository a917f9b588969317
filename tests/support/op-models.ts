/**
 * Tiny TF.js models, one per graph op and one per Keras layer class the app supports, each taking a
 * [1, 8, 8, 3] float photo: what the kernel test runs to show every listed op works with the
 * classifier worker's kernels and nothing more. Graph models are written the way
 * tensorflowjs_converter writes them (nodes with TensorFlow attrs, Const weights in the manifest);
 * layers models are built and serialised by tfjs-layers itself.
 */
import * as tf from '@tensorflow/tfjs';

export const INPUT_SHAPE = [1, 8, 8, 3] as const;

type Attr =
  | { type: string }
  | { s: string }
  | { i: string }
  | { f: number }
  | { b: boolean }
  | { list: { i?: string[]; s?: string[]; f?: number[] } };

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, Attr>;
}

export const attr = {
  str: (s: string): Attr => ({ s: btoa(s) }),
  strs: (values: string[]): Attr => ({
    list: { s: values.map((s) => btoa(s)) },
  }),
  int: (i: number): Attr => ({ i: String(i) }),
  ints: (values: number[]): Attr => ({ list: { i: values.map(String) } }),
  float: (f: number): Attr => ({ f }),
  bool: (b: boolean): Attr => ({ b }),
  float32: { type: 'DT_FLOAT' } as Attr,
  int32: { type: 'DT_INT32' } as Attr,
};

/** Deterministic values in [-1, 1) (a tiny LCG), so every run builds the same model. */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

/** Builds one graph model: a Placeholder `x` (a photo, unless told), Const weights, op nodes. */
export class GraphBuilder {
  private readonly nodes: GraphNode[];
  private readonly weights: {
    spec: tf.io.WeightsManifestEntry;
    data: Float32Array | Int32Array;
  }[] = [];
  private count = 0;

  constructor(readonly inputShape: readonly number[] = INPUT_SHAPE) {
    this.nodes = [
      {
        name: 'x',
        op: 'Placeholder',
        attr: {
          dtype: attr.float32,
          shape: { shape: { dim: inputShape.map((size) => ({ size: String(size) })) } } as never,
        },
      },
    ];
  }

  /** A float Const of `shape` with fixed pseudo-random values (or the given ones). */
  floats(shape: number[], given?: number[]): string {
    const size = shape.reduce((a, b) => a * b, 1);
    return this.constant(
      'float32',
      shape,
      given ? Float32Array.from(given) : values(size, ++this.count),
    );
  }

  /** An int32 Const (shapes, axes, paddings, sizes). */
  ints(given: number[], shape = [given.length]): string {
    return this.constant('int32', shape, Int32Array.from(given));
  }

  private constant(dtype: 'float32' | 'int32', shape: number[], data: Float32Array | Int32Array) {
    const name = `c${++this.count}`;
    this.nodes.push({
      name,
      op: 'Const',
      attr: {
        value: {
          tensor: {
            dtype: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT',
            tensorShape: { dim: shape.map((size) => ({ size: String(size) })) },
          },
        } as never,
        dtype: dtype === 'int32' ? attr.int32 : attr.float32,
      },
    });
    this.weights.push({ spec: { name, shape, dtype }, data });
    return name;
  }

  node(op: string, input: string[], attrs: Record<string, Attr> = {}): string {
    const name = `n${++this.count}`;
    this.nodes.push({ name, op, input, attr: { T: attr.float32, ...attrs } });
    return name;
  }

  /** model.json (as the converter writes it) and the weights, for `tf.io.fromMemory`. */
  artifacts(output: string): {
    modelJson: Record<string, unknown>;
    artifacts: tf.io.ModelArtifacts;
  } {
    const weightSpecs = this.weights.map((w) => w.spec);
    const buffers = this.weights.map((w) => new Uint8Array(w.data.buffer).slice().buffer);
    const weightData = tf.io.concatenateArrayBuffers(buffers);
    const modelTopology = { node: this.nodes, library: {}, versions: { producer: 1 } };
    const signature = {
      inputs: { x: { name: 'x:0', dtype: 'DT_FLOAT' } },
      outputs: { y: { name: `${output}:0`, dtype: 'DT_FLOAT' } },
    };
    return {
      modelJson: {
        format: 'graph-model',
        generatedBy: 'fishlens tests',
        convertedBy: 'tests/support/op-models.ts',
        modelTopology,
        signature,
        weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }],
      },
      artifacts: { format: 'graph-model', modelTopology, weightSpecs, weightData, signature },
    };
  }
}

/** An input of `shape` with fixed values in [-1, 1). */
export function sampleInput(shape: readonly number[] = INPUT_SHAPE): tf.Tensor {
  return tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      7,
    ),
    [...shape],
  );
}

/** The serialised artefacts of a layers model built from `build(input)`, with fixed weights. */
export async function layersArtifacts(
  build: (input: tf.SymbolicTensor) => tf.SymbolicTensor,
): Promise<tf.io.ModelArtifacts> {
  const input = tf.input({ shape: INPUT_SHAPE.slice(1), name: 'x' });
  const model = tf.model({ inputs: input, outputs: build(input) });
  let seed = 100;
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    // Variances must stay positive; every other weight may take any value.
    layer.setWeights(
      layer.weights.map((w) => {
        const shape = w.shape.map((d) => d ?? 1);
        const size = shape.reduce((a, b) => a * b, 1);
        const v = values(size, ++seed).map((x) => (/variance/.test(w.name) ? 0.5 + x * 0.4 : x));
        return tf.tensor(v, shape);
      }),
    );
  }
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      saved = artifacts;
      return Promise.resolve({
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
      });
    }),
  );
  model.dispose();
  return saved!;
}
