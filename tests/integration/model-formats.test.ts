/**
 * The classifier worker's model loading (worker/classifier/pack-model.ts) on real converter output
 * from npm packages (tests/fixtures/models), in Node on TF.js's CPU backend: every score within
 * 1e-5 of stock tf.loadLayersModel / tf.loadGraphModel on the same input, and the list of what
 * the app can run (shared/model-ops.ts) checked against the installed TF.js.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FishlensError } from '../../shared/errors';
import { SUPPORTED_GRAPH_OPS, SUPPORTED_LAYER_CLASSES } from '../../shared/model-ops';
import { loadPackModel } from '../../worker/classifier/pack-model';

const FIXTURES = join(import.meta.dirname, '../fixtures/models');
const CONVERTER_OPS = join(
  import.meta.dirname,
  '../../node_modules/@tensorflow/tfjs-converter/dist/operations/op_list',
);

interface Fixture {
  json: Record<string, unknown> & { weightsManifest: { paths: string[] }[] };
  weights: Record<string, ArrayBuffer>;
}

function fixture(name: string): Fixture {
  const dir = join(FIXTURES, name);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Fixture['json'];
  const weights: Record<string, ArrayBuffer> = {};
  for (const path of json.weightsManifest.flatMap((g) => g.paths)) {
    const bytes = readFileSync(join(dir, path));
    weights[path] = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }
  return { json, weights };
}

/** The artefacts stock TF.js loads: the same files, through tf.io.fromMemory. */
function artifacts({ json, weights }: Fixture): tf.io.ModelArtifacts {
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig;
  return {
    ...(json as object),
    weightSpecs: manifest.flatMap((g) => g.weights),
    weightData: tf.io.concatenateArrayBuffers(
      manifest.flatMap((g) => g.paths.map((p) => weights[p]!)),
    ),
  };
}

/** A deterministic photo-like input in [0, 1]. */
function input(size: number): Float32Array {
  return new Float32Array(size * size * 3).map((_, i) => ((i * 7919) % 251) / 251);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5) {
  expect(actual).toHaveLength(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i]! - expected[i]!), `score ${i}`).toBeLessThan(tolerance);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('real converter models load and score exactly like stock TF.js', () => {
  it('an old Keras 2.2.4 layers export (nsfwjs MobileNetV2, uint8 weights): fused and stock executors', async () => {
    const model = fixture('nsfwjs-mobilenet-v2');
    const x = input(224);
    const stock = await tf.loadLayersModel(tf.io.fromMemory(artifacts(model)));
    const expected = await (stock.predict(tf.tensor4d(x, [1, 224, 224, 3])) as tf.Tensor).data();
    stock.dispose();
    for (const executor of ['fused', 'layers'] as const) {
      const ours = await loadPackModel(model.json, model.weights, { executor, labelCount: 5 });
      // ZeroPadding2D, AveragePooling2D and Flatten are in the fused executor too.
      expect(ours.executor).toBe(executor);
      expectClose((await ours.predict(x)).probabilities, expected);
      ours.dispose();
    }
  }, 60_000);

  it('a graph model with a signature (liveness), and tensors do not pile up', async () => {
    const model = fixture('human-liveness');
    const x = input(32);
    const stock = await tf.loadGraphModel(tf.io.fromMemory(artifacts(model)));
    const expected = await (stock.predict(tf.tensor4d(x, [1, 32, 32, 3])) as tf.Tensor).data();
    stock.dispose();
    const ours = await loadPackModel(model.json, model.weights, { labelCount: 2 });
    expect(ours.executor).toBe('graph');
    expectClose((await ours.predict(x)).probabilities, expected);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await ours.predict(x);
    expect(tf.memory().numTensors).toBe(before);
    ours.dispose();
  });

  it('the same graph without its final Softmax gives logits, and the app applies the softmax', async () => {
    const model = fixture('human-liveness');
    const topology = model.json.modelTopology as {
      node: { name: string; op: string; input?: string[] }[];
    };
    const softmax = topology.node.find((n) => n.op === 'Softmax')!;
    topology.node.find((n) => n.name === 'Identity')!.input = softmax.input;
    topology.node = topology.node.filter((n) => n !== softmax);
    const x = input(32);
    const stock = await tf.loadGraphModel(tf.io.fromMemory(artifacts(model)));
    const logits = stock.predict(tf.tensor4d(x, [1, 32, 32, 3])) as tf.Tensor;
    const expected = await tf.softmax(logits).data();
    expect(Math.abs((await logits.sum().data())[0]! - 1)).toBeGreaterThan(1e-3);
    stock.dispose();
    const ours = await loadPackModel(model.json, model.weights, { labelCount: 2 });
    expectClose((await ours.predict(x)).probabilities, expected);
    ours.dispose();
  });

  it('a model that cannot run is refused with a code the app has words for', async () => {
    const model = fixture('human-liveness');
    await expect(loadPackModel(model.json, model.weights, { labelCount: 3 })).rejects.toMatchObject(
      {
        code: 'model-labels-mismatch',
        details: { outputs: 2, labels: 3 },
      },
    );
    const topology = model.json.modelTopology as { node: { op: string }[] };
    topology.node.find((n) => n.op === 'MaxPool')!.op = 'MyCustomPool';
    const refused = await loadPackModel(model.json, model.weights, { labelCount: 2 }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(FishlensError);
    expect(refused).toMatchObject({
      code: 'model-ops-unsupported',
      details: { names: 'MyCustomPool' },
    });
  });
});

describe('the list of what the app can run matches the installed TF.js', () => {
  it('every listed graph op has a TF.js converter mapping (the list is a subset: worker/classifier/kernels runs each)', async () => {
    const mapped = new Set<string>();
    for (const file of readdirSync(CONVERTER_OPS).filter((f) => f.endsWith('.js'))) {
      if (file === 'tfdf.js') continue; // needs @tensorflow/tfjs-tfdf, not part of the app
      const { json } = (await import(join(CONVERTER_OPS, file))) as {
        json: { tfOpName: string }[];
      };
      for (const op of json) mapped.add(op.tfOpName);
    }
    expect(SUPPORTED_GRAPH_OPS.filter((op) => !mapped.has(op))).toEqual([]);
  });

  it('every listed Keras layer class is one TF.js layers can deserialize', () => {
    const registered = tf.serialization.SerializationMap.getMap().classNameMap;
    expect(SUPPORTED_LAYER_CLASSES.filter((name) => !(name in registered))).toEqual([]);
  });
});
