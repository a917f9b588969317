/**
 * The contract between the app and the on-device classifier. The installer (src/registry/)
 * produces a verified `LoadedPack`; `loadClassifier` hands it to a Web Worker and returns a
 * `Classifier`.
 */
import type { Decision } from '../../shared/decision';
import type { PackMetadata, PackRef } from '../../shared/pack';
import type * as Protocol from '../../worker/classifier/protocol';

export type { Backend, MemoryResult, RepeatResult } from '../../worker/classifier/protocol';

/** A verified model pack in memory, ready to hand to the classifier worker. */
export interface LoadedPack {
  ref: PackRef;
  metadata: PackMetadata;
  /** The parsed model.json (TF.js model artefacts: modelTopology + weightsManifest). */
  modelJson: unknown;
  /** Every weight file named in model.json's weightsManifest, by its path. Transferred on load. */
  weightFiles: Record<string, ArrayBuffer>;
}

export interface Classification {
  model: PackRef;
  /** Top labels, most probable first, calibrated (at least 3 when the pack has them). */
  top: Protocol.LabelProbability[];
  /** The model's probability of every label, in the pack's label order (before calibration). */
  probabilities: number[];
  /** Sure / not sure / unknown, and every label ranked with calibrated probabilities. */
  decision: Decision;
  /** True unless the decision is "sure" (what the prediction log records). */
  notSure: boolean;
  /** Time spent in the model (preprocessing + forward pass), ms. */
  latencyMs: number;
  backend: Protocol.Backend;
  timings: Protocol.ClassificationTimings;
  /** A small JPEG of the photo for History, made by the worker; null when it could not be. */
  thumbnail: Blob | null;
}

/** A loaded, warmed-up model: one call at a time, cancellable. */
export interface Classifier {
  readonly backend: Protocol.Backend;
  /** Backend details: SIMD and threads for WASM, the GPU for WebGPU/WebGL, the executor. */
  readonly details: string;
  /** Where loading went inside the worker (the startup bench reads it). */
  readonly loadTimings: Protocol.LoadTimings;
  readonly pack: PackRef;
  readonly metadata: PackMetadata;
  /** Classifies one photo (a File/Blob as picked, or an ImageBitmap, which is transferred). */
  classify(photo: Blob | ImageBitmap, signal?: AbortSignal): Promise<Classification>;
  /** TF.js memory in the worker (the leak test). */
  memory(): Promise<Protocol.MemoryResult>;
  /** Classifies one photo `count` times in the worker; latencies and tensor counts (bench, leak test). */
  repeat(
    photo: Blob | ImageBitmap,
    count: number,
    signal?: AbortSignal,
  ): Promise<Protocol.RepeatResult>;
  dispose(): void;
}
