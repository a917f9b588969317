/**
 * The messages between the classifier bridge (page) and the classifier worker. Plain data only:
 * everything here crosses postMessage (ArrayBuffers are transferred, not copied).
 */
import type { PackMetadata } from '../../shared/pack';
import type { SerializedError } from './errors';
import type { Backend, LabelProbability } from './types';

export interface LoadRequest {
  type: 'load';
  name: string;
  version: string;
  metadata: PackMetadata;
  modelJson: unknown;
  weightFiles: Record<string, ArrayBuffer>;
  /** Backends to try in order; `auto` skips software-rendered WebGL. */
  backends: Backend[] | 'auto';
  /** `layers` runs the stock tf.LayersModel (for comparison); default `fused`. */
  executor?: 'fused' | 'layers';
  /** WASM threads (where cross-origin isolated): `auto` = only with 4+ cores (see engine.ts). */
  wasmThreads?: boolean | 'auto';
}

export interface ClassifyRequest {
  type: 'classify';
  photo: Blob | ImageBitmap;
}

/** Debug query for tests: TF.js memory counters in the worker. */
export interface MemoryRequest {
  type: 'memory';
}

/** Classifies the same photo `count` times in the worker (bench and leak tests), timing each. */
export interface RepeatRequest {
  type: 'repeat';
  photo: Blob | ImageBitmap;
  count: number;
}

export type WorkerRequest = (LoadRequest | ClassifyRequest | MemoryRequest | RepeatRequest) & {
  id: number;
};

export interface LoadResult {
  backend: Backend;
  /** What the backend runs with: SIMD, threads, which WebGL renderer. */
  details: string;
  loadMs: number;
  warmupMs: number;
}

export interface ClassifyResult {
  probabilities: number[];
  top: LabelProbability[];
  latencyMs: number;
  /** Decode, preprocessing and forward pass separately, ms. */
  timings: { decodeMs: number; preprocessMs: number; inferenceMs: number };
}

export interface MemoryResult {
  numTensors: number;
  numBytes: number;
}

export interface RepeatResult {
  latenciesMs: number[];
  /** Per-stage timings of each run. */
  timings: ClassifyResult['timings'][];
  numTensorsBefore: number;
  numTensorsAfter: number;
}

export type WorkerResponse =
  | { id: number; ok: true; result: LoadResult | ClassifyResult | MemoryResult | RepeatResult }
  | { id: number; ok: false; error: SerializedError };
