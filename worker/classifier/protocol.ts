/**
 * The messages between the classifier bridge (the page, src/classifier/) and the classifier
 * worker. Plain data only: everything here crosses postMessage. The pack's weight buffers are
 * transferred to the worker (the page's copies are detached: they are not needed after loading),
 * photos travel as Blobs (shared, not copied) or transferred ImageBitmaps.
 */
import type { Decision } from '../../shared/decision';
import type { SerializedError } from '../../shared/errors';
import type { PackMetadata, PackRef } from '../../shared/pack';

export type Backend = 'webgl' | 'wasm' | 'cpu';

/** `fused` (default): BN and ReLU folded into fused convolutions; `layers`: stock tf.LayersModel. */
export type Executor = 'fused' | 'layers';

export interface LoadRequest {
  type: 'load';
  pack: PackRef;
  metadata: PackMetadata;
  modelJson: unknown;
  /** Transferred: detached on the page once posted. */
  weightFiles: Record<string, ArrayBuffer>;
  /**
   * Backends to try in order; `auto` = hardware WebGL, then WASM, then CPU. A backend on which the
   * model does not load or warm up is skipped for the next one.
   */
  backends: Backend[] | 'auto';
  executor?: Executor;
  /** WASM threads (where cross-origin isolated): `auto` = only with 4+ cores (see backends.ts). */
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
  /** What the backend runs with: SIMD, threads, which WebGL renderer, the executor. */
  details: string;
}

/** Decode, preprocessing and forward pass of one photo, ms. */
export interface ClassificationTimings {
  decodeMs: number;
  preprocessMs: number;
  inferenceMs: number;
}

/** A label id from the pack's metadata (`bream`, `fish_07`) with its probability. */
export interface LabelProbability {
  label: string;
  probability: number;
}

export interface ClassifyResult {
  /** The model's probability of every label, in the pack's label order (before calibration). */
  probabilities: number[];
  /** Sure / not sure / unknown and every label ranked, calibrated (shared/decision.ts). */
  decision: Decision;
  /** The most probable labels, most probable first, calibrated (as `decision.ranked`). */
  top: LabelProbability[];
  /** Preprocessing and forward pass, ms. */
  latencyMs: number;
  timings: ClassificationTimings;
  /** A small JPEG of the photo for History (EXIF-oriented), or null when it could not be made. */
  thumbnail: Blob | null;
}

export interface MemoryResult {
  numTensors: number;
  numBytes: number;
}

export interface RepeatResult {
  latenciesMs: number[];
  /** Per-stage timings of each run. */
  timings: ClassificationTimings[];
  numTensorsBefore: number;
  numTensorsAfter: number;
}

export type WorkerResponse =
  | { id: number; ok: true; result: LoadResult | ClassifyResult | MemoryResult | RepeatResult }
  | { id: number; ok: false; error: SerializedError };
