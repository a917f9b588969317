/**
 * The contract between the app and the on-device classifier. Pack sources (the registry over the
 * network, the packs installed in IndexedDB) produce a `LoadedPack`; `loadClassifier` turns it
 * into a `Classifier` that runs in a Web Worker.
 */
import type { PackMetadata } from '../../shared/pack';

/** A verified model pack in memory, ready to hand (transfer) to the classifier worker. */
export interface LoadedPack {
  name: string;
  version: string;
  metadata: PackMetadata;
  /** The parsed model.json (TF.js model artefacts: modelTopology + weightsManifest). */
  modelJson: unknown;
  /** Every weight file named in model.json's weightsManifest, by its path. */
  weightFiles: Record<string, ArrayBuffer>;
}

export type Backend = 'webgl' | 'wasm' | 'cpu';

export interface LabelProbability {
  /** Label id from the pack's metadata (`bream`, `fish_07`). */
  label: string;
  probability: number;
}

export interface Classification {
  model: { name: string; version: string };
  /** Top labels, most probable first (at least 3 when the pack has them). */
  top: LabelProbability[];
  /** Probability of every label, in the pack's label order. */
  probabilities: number[];
  /** True when the top probability is below the pack's `notSureBelow` threshold. */
  notSure: boolean;
  /** Time spent in the model (preprocessing + forward pass), ms. */
  latencyMs: number;
  backend: Backend;
}

export interface ClassifierOptions {
  /** Backends to try, in order; default WebGL, then WASM, then CPU. */
  backends?: Backend[];
  signal?: AbortSignal;
}

/** A loaded, warmed-up model: one call at a time, cancellable. */
export interface Classifier {
  readonly backend: Backend;
  readonly model: { name: string; version: string; metadata: PackMetadata };
  /** Classifies one photo (a File/Blob as picked, or an ImageBitmap). */
  classify(photo: Blob | ImageBitmap, signal?: AbortSignal): Promise<Classification>;
  dispose(): void;
}
