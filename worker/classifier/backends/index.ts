/**
 * TF.js backends inside the classifier worker: which to try on this device (hardware WebGPU, then
 * hardware WebGL, then WASM, then CPU), each loaded as its own chunk only when it is tried, so a
 * phone parses one backend's code, not four.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FishlensError } from '../../../shared/errors';
import type { Backend } from '../protocol';
import { isSoftwareRenderer, probeWebGpu, webglRenderer, type GpuProbe } from './probe';
import type { BackendOptions, BackendStart, BackendStarted } from './types';

export type { ThreadPool } from './types';

const LOADERS: Record<Backend, () => Promise<{ start: BackendStart }>> = {
  webgpu: () => import('./webgpu'),
  webgl: () => import('./webgl'),
  wasm: () => import('./wasm'),
  cpu: () => import('./cpu'),
};

export interface BackendPlan {
  order: Backend[];
  gpu?: GpuProbe;
}

/**
 * The backends to try, in order. `auto` = WebGPU, then WebGL, where they are hardware GPUs, then
 * WASM, then CPU: a software GPU (SwiftShader) is several times slower than WASM.
 */
export async function backendPlan(requested: Backend[] | 'auto'): Promise<BackendPlan> {
  const wantsGpu = requested === 'auto' || requested.includes('webgpu');
  const gpu = wantsGpu ? await probeWebGpu() : undefined;
  if (requested !== 'auto') return { order: requested, gpu };
  const order: Backend[] = [];
  if (gpu?.hardware) order.push('webgpu');
  const renderer = webglRenderer();
  if (renderer && !isSoftwareRenderer(renderer)) order.push('webgl');
  order.push('wasm', 'cpu');
  return { order, gpu };
}

/** Starts the first backend of `candidates` that works; `no-backend` when none does. */
export async function startBackend(
  candidates: Backend[],
  options: BackendOptions,
): Promise<BackendStarted & { backend: Backend }> {
  const failures: string[] = [];
  for (const backend of candidates) {
    try {
      const { start } = await LOADERS[backend]();
      return { backend, ...(await start(options)) };
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
