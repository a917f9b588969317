import type { GpuProbe } from './probe';

export interface BackendOptions {
  /** WASM threads: a fixed count, or `auto` (adaptive: see wasm.ts and ../threads.ts). */
  wasmThreads: number | 'auto';
  /** What the WebGPU probe found, when it ran. */
  gpu?: GpuProbe;
}

/** What a started backend reports, and (WASM with threads) how to resize its thread pool. */
export interface BackendStarted {
  details: string;
  threads?: ThreadPool;
  /**
   * Starts this backend again without threads (WASM: the plain SIMD module instead of the threaded
   * one). Tensors made on it before are gone: build the model again.
   */
  withoutThreads?: () => Promise<BackendStarted>;
}

/** Starts one backend; throws when it cannot run here. */
export type BackendStart = (options: BackendOptions) => Promise<BackendStarted>;

/** XNNPACK's thread pool in the threaded WASM module. */
export interface ThreadPool {
  /** The largest pool this device gets (its logical cores, at most 4). */
  readonly max: number;
  size(): number;
  /** How many more pools this session may create. */
  spare(): number;
  /** Replaces the pool; false once the budget of pools for this session is spent (see wasm.ts). */
  resize(threads: number): boolean;
}
