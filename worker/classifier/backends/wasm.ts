/**
 * The WASM backend (XNNPACK) with the app's kernels: SIMD where the browser has it, and a thread
 * pool where the page is cross-origin isolated and the thread policy asks for one.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  setThreadsCount,
  setWasmPaths,
  type BackendWasm,
} from '@tensorflow/tfjs-backend-wasm/dist/base';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerKernels } from '../kernels/register';
import { WASM_KERNELS } from '../kernels/wasm';
import type { BackendStart, BackendStarted, ThreadPool } from './types';

registerKernels(WASM_KERNELS);
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlainUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

/** XNNPACK gains little past four threads for one small image, and phones share them with the UI. */
const MAX_THREADS = 4;
/**
 * Each resize creates a new pthreadpool: TF.js's `init_with_threads_count` replaces the pool
 * without destroying the old one (tfjs-backend-wasm/src/cc/backend.cc), whose idle threads stay.
 * A few resizes per session keep that bounded.
 */
const MAX_POOLS = 5;
/** tfjs-backend-wasm's own priority for `wasm` (tfjs-backend-wasm/src/base.ts). */
const WASM_PRIORITY = 2;

function cores(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

function threadPool(backend: BackendWasm, max: number): ThreadPool {
  let pools = 1;
  return {
    max,
    size: () => backend.wasm.tfjs.getThreadsCount(),
    spare: () => MAX_POOLS - pools,
    resize(threads) {
      const target = Math.max(1, Math.min(max, Math.round(threads)));
      if (target === backend.wasm.tfjs.getThreadsCount()) return true;
      if (pools >= MAX_POOLS) return false;
      pools++;
      backend.wasm.tfjs.initWithThreadsCount(target);
      return true;
    },
  };
}

/**
 * Replaces the running WASM backend with a fresh one on the plain SIMD module. Removing it disposes
 * the module and terminates its pthread workers (BackendWasm.dispose); the app's kernels stay
 * registered for the name `wasm` and are set up again on the new module.
 */
async function startWithoutThreads(): Promise<BackendStarted> {
  const factory = tf.findBackendFactory('wasm');
  if (!factory) throw new Error('WASM backend not registered');
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, WASM_PRIORITY);
  return start({ wasmThreads: 1 });
}

export const start: BackendStart = async ({ wasmThreads }) => {
  const max = Math.min(MAX_THREADS, cores());
  const threaded = max > 1 && (wasmThreads === 'auto' || wasmThreads > 1);
  // Without threads TF.js loads the plain SIMD module: no pthread workers to start.
  if (!threaded) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  // The pool starts at one thread when it is going to be measured (`auto`), else at the count asked.
  setThreadsCount(wasmThreads === 'auto' ? 1 : Math.min(max, Math.max(1, wasmThreads)));
  // TF.js caps XNNPACK's pool at hardwareConcurrency / 2, assuming two hyper-threads per core
  // (tfjs-backend-wasm/src/cc/backend.cc, `num_cores`), so a 2-core phone or VM would get one
  // thread whatever is asked. This worker only runs the model: report twice the logical cores to
  // the WASM module so the pool can use every core; the thread count above still caps it.
  if (threaded && cores() < 8) {
    Object.defineProperty(navigator, 'hardwareConcurrency', {
      value: cores() * 2,
      configurable: true,
    });
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('WASM did not start');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  // Threads need cross-origin isolation (SharedArrayBuffer); without it TF.js runs one thread.
  const hasThreads = threaded && (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  const backend = tf.backend() as BackendWasm;
  return {
    details: `SIMD ${simd ? 'on' : 'off'}, threads ${hasThreads ? 'on' : 'off'}`,
    ...(hasThreads && simd
      ? { threads: threadPool(backend, max), withoutThreads: startWithoutThreads }
      : {}),
  };
};
