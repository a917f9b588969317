/**
 * TF.js backends inside the classifier worker: which one to start on this device (hardware WebGL,
 * then WASM, then CPU), how WASM is configured (SIMD, threads), and what it runs with.
 */
import * as tf from '@tensorflow/tfjs';
// The backends this worker may start (WASM and CPU below); @tensorflow/tfjs bundles them too.
import '@tensorflow/tfjs-backend-webgl';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { FishlensError } from '../../shared/errors';
import type { Backend } from './protocol';

export interface StartedBackend {
  backend: Backend;
  details: string;
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
 * Threads by default only with 4+ logical cores: with two cores, one busy core (another app, the
 * page itself) stalls every op, because each of the ~60 ops waits for its slowest thread, and two
 * threads then measured slower than one (`npm run bench:inference -- --threads/--no-threads`).
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
 * The backends to try, in order. `auto` = WebGL when it is hardware-accelerated, then WASM, then
 * CPU: software WebGL (SwiftShader) is several times slower than WASM.
 */
export function backendOrder(requested: Backend[] | 'auto'): Backend[] {
  if (requested !== 'auto') return requested;
  const renderer = webglRenderer();
  return renderer && !SOFTWARE_GL.test(renderer) ? ['webgl', 'wasm', 'cpu'] : ['wasm', 'cpu'];
}

/** Starts the first backend of `candidates` that works; `no-backend` when none does. */
export async function startBackend(
  candidates: Backend[],
  wasmThreads: boolean | 'auto' = 'auto',
): Promise<StartedBackend> {
  const renderer = candidates.includes('webgl') ? webglRenderer() : null;
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
  throw new FishlensError('no-backend', failures.join('; '));
}

/** TF.js memory counters (the leak test watches numTensors). */
export function memory(): { numTensors: number; numBytes: number } {
  const { numTensors, numBytes } = tf.memory();
  return { numTensors, numBytes };
}
