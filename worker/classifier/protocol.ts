/**
 * The messages between the classifier bridge (the page, src/classifier/) and the classifier
 * worker. Plain data only: everything here crosses postMessage. The pack's weight buffers are
 * transferred to the worker (the page's copies are detached: they are not needed after loading),
 * photos travel as Blobs (shared, not copied) or transferred ImageBitmaps.
 */
import type { Decision } from '../../shared/decision';
import type { SerializedError } from '../../shared/errors';
import type { PackMetadata, PackRef } from '../../shared/pack';

export type Backend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** `fused` (default): BN and ReLU folded into fused convolutions; `layers`: stock tf.LayersModel. */
export type Executor = 'fused' | 'layers';

/** How to choose and start a backend (`prepare` and `load` both carry it). */
export interface BackendRequest {
  /**
   * Backends to try in order; `auto` = hardware WebGPU, hardware WebGL, then WASM, then CPU. A
   * backend on which the model does not load or warm up is skipped for the next one.
   */
  backends: Backend[] | 'auto';
  /**
   * WASM threads (where cross-origin isolated): `auto` = the faster of one thread and the whole
   * pool, as measured at warm-up (or as `threadTuning` remembers), guarded while it runs.
   */
  wasmThreads?: boolean | 'auto';
  /**
   * What an earlier warm-up measured on this device (the page remembers it): for `load`, of this
   * pack; for `prepare`, of the pack used last (the pack is not read yet).
   */
  threadTuning?: ThreadTuning;
}

/**
 * Starts a backend before the pack is there, so that the worker's start and the page's reading of
 * the pack overlap; the `load` that follows uses it.
 */
export interface PrepareRequest extends BackendRequest {
  type: 'prepare';
}

export interface PrepareResult {
  backend: Backend;
  details: string;
}

export interface LoadRequest extends BackendRequest {
  type: 'load';
  pack: PackRef;
  metadata: PackMetadata;
  modelJson: unknown;
  /** Transferred: detached on the page once posted. */
  weightFiles: Record<string, ArrayBuffer>;
  executor?: Executor;
}

/** WASM threads measured on this device for one pack at warm-up. */
export interface ThreadTuning {
  /** The thread count kept: 1, or the whole pool. */
  threads: number;
  /** The whole pool: the device's logical cores, at most 4. */
  max: number;
  /** Median forward pass with one thread and with the whole pool, ms. */
  oneThreadMs: number;
  manyThreadsMs: number;
  /** When it was measured (ms since 1970). */
  measuredAt: number;
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

export type WorkerRequest = (
  PrepareRequest | LoadRequest | ClassifyRequest | MemoryRequest | RepeatRequest
) & {
  id: number;
};

export interface LoadResult {
  backend: Backend;
  /** What the backend runs with: SIMD, threads, which GPU, the executor. */
  details: string;
  /** WASM with threads under `auto`: what warm-up measured (new) or was given (remembered). */
  threadTuning?: ThreadTuning;
  /** Where the load went, ms: GPU probes, backend start, model build, warm-up, thread measurement. */
  timings: LoadTimings;
}

export interface LoadTimings {
  probeMs: number;
  backendMs: number;
  buildMs: number;
  warmUpMs: number;
  threadsMs: number;
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
  | {
      id: number;
      ok: true;
      result: PrepareResult | LoadResult | ClassifyResult | MemoryResult | RepeatResult;
    }
  | { id: number; ok: false; error: SerializedError };
