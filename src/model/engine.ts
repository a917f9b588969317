/**
 * The TF.js side of the classifier, run inside the worker: picks and starts a backend, builds the
 * pack's model from memory (the fused executor when the topology allows, else the layers model),
 * warms it up and runs forward passes. Every tensor is created and disposed here.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { ClassifierError } from './errors';
import { buildFusedGraph, UnsupportedTopologyError } from './fused-graph';
import type { Backend } from './types';

/** Which executor runs the model: BN/ReLU folded into fused convs, or stock tf.LayersModel. */
export type Executor = 'fused' | 'layers';

export interface StartedBackend {
  backend: Backend;
  details: string;
}

/** A loaded model: HWC float input in, probabilities out. */
export interface PackModel {
  readonly executor: Executor;
  /** Runs one forward pass; `input` is read only until the returned promise settles (the caller may reuse it then). */
  predict(input: Float32Array): Promise<Float32Array>;
  dispose(): void;
}

const SOFTWARE_GL = /swiftshader|llvmpipe|software|basic render/i;

/** The WebGL renderer string, or null when WebGL is unavailable in this context. */
function webglRenderer(): string | null {
  try {
    const gl =
      new OffscreenCanvas(1, 1).getContext('webgl2') ??
      new OffscreenCanvas(1, 1).getContext('webgl');
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return null;
  }
}

/**
 * Threads by default only with 4+ logical cores. On the 2-core test machine (tests/bench/
 * inference.ts, 11 alternated pairs of 1 and 2 threads, n = 100 each, load average 3.4-6.7 from
 * training jobs) one thread gave p50 22.1-31.6 ms every time; two threads 14.8-21.5 ms in the 3
 * runs where both cores were free and 52.8-77.5 ms in the other 8: each of the ~60 ops waits for
 * its slowest thread, so one busy core stalls every op.
 */
function wantThreads(setting: boolean | 'auto', cores: number): boolean {
  return setting === 'auto' ? cores >= 4 : setting;
}

function configureWasm(setting: boolean | 'auto'): void {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlainUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
  });
  const cores = typeof navigator === 'object' ? navigator.hardwareConcurrency || 1 : 1;
  const threads = wantThreads(setting, cores);
  // Threads need cross-origin isolation (SharedArrayBuffer); without it TF.js runs one thread.
  if (!threads) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(Math.max(1, Math.min(4, cores)));
  // TF.js caps XNNPACK's pool at hardwareConcurrency / 2, assuming two hyper-threads per core
  // (tfjs-backend-wasm/src/cc/backend.cc, `num_cores`), so a 2-core phone or VM gets one thread
  // whatever setThreadsCount says. This worker only runs the model: report twice the logical
  // cores to the WASM module so the pool can use every core; setThreadsCount above still caps it.
  if (threads && typeof navigator === 'object' && cores < 8) {
    Object.defineProperty(navigator, 'hardwareConcurrency', {
      value: cores * 2,
      configurable: true,
    });
  }
}

async function describe(backend: Backend, renderer: string | null): Promise<string> {
  if (backend === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    return `SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'} (${getThreadsCount()} in XNNPACK's pool)`;
  }
  if (backend === 'webgl')
    return `WebGL ${String(tf.env().get('WEBGL_VERSION'))}, ${renderer ?? 'unknown renderer'}`;
  return 'plain JavaScript';
}

/**
 * Starts the first backend of `order` that works. `auto` = WebGL when it is hardware-accelerated,
 * then WASM, then CPU: software WebGL (SwiftShader) is several times slower than WASM.
 */
export async function startBackend(
  order: Backend[] | 'auto',
  wasmThreads: boolean | 'auto' = 'auto',
): Promise<StartedBackend> {
  const renderer = webglRenderer();
  const candidates: Backend[] =
    order === 'auto'
      ? renderer && !SOFTWARE_GL.test(renderer)
        ? ['webgl', 'wasm', 'cpu']
        : ['wasm', 'cpu']
      : order;
  const failures: string[] = [];
  for (const backend of candidates) {
    try {
      if (backend === 'wasm') configureWasm(wasmThreads);
      if (backend === 'webgl' && !renderer) throw new Error('WebGL unavailable');
      if (await tf.setBackend(backend)) {
        await tf.ready();
        return { backend, details: await describe(backend, renderer) };
      }
      failures.push(`${backend}: did not start`);
    } catch (error) {
      failures.push(`${backend}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new ClassifierError('no-backend', failures.join('; '));
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

/** Builds the pack's model from model.json and its weight files (all in memory). */
export async function loadPackModel(
  modelJson: unknown,
  weightFiles: Record<string, ArrayBuffer>,
  executor: Executor = 'fused',
): Promise<PackModel> {
  const json = modelJson as { modelTopology?: object; weightsManifest?: WeightsGroup[] };
  if (!json?.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new ClassifierError(
      'model-invalid',
      'model.json has no modelTopology or weightsManifest',
    );
  }
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const buffers = json.weightsManifest.flatMap((group) =>
    group.paths.map((path) => {
      const buffer = weightFiles[path];
      if (!buffer) throw new ClassifierError('model-invalid', `weight file ${path} is missing`);
      return buffer;
    }),
  );
  const weightData = tf.io.concatenateArrayBuffers(buffers);
  const expected = specs.reduce((sum, spec) => sum + weightBytes(spec), 0);
  if (weightData.byteLength < expected) {
    throw new ClassifierError(
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
          readAndDispose(tf.tidy(() => graph.predict(tf.tensor4d(input, [1, height, width, 3])))),
        dispose: () => graph.dispose(),
      };
    } catch (error) {
      if (!(error instanceof UnsupportedTopologyError))
        throw new ClassifierError('model-invalid', String(error));
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
    throw new ClassifierError(
      'model-invalid',
      error instanceof Error ? error.message : String(error),
    );
  }
  const shape = model.inputs[0]?.shape ?? [];
  const height = shape[1] ?? 0;
  const width = shape[2] ?? 0;
  return {
    executor: 'layers',
    predict: (input) =>
      readAndDispose(
        tf.tidy(() => model.predict(tf.tensor4d(input, [1, height, width, 3])) as tf.Tensor),
      ),
    dispose: () => model.dispose(),
  };
}

async function readAndDispose(output: tf.Tensor): Promise<Float32Array> {
  try {
    return (await output.data()) as Float32Array;
  } finally {
    output.dispose();
  }
}

/** TF.js memory counters (the leak test watches numTensors). */
export function memory(): { numTensors: number; numBytes: number } {
  const { numTensors, numBytes } = tf.memory();
  return { numTensors, numBytes };
}
