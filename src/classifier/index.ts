/**
 * The on-device classifier: `loadClassifier` hands a verified pack to a new classifier worker and
 * resolves once the model is warmed up, so the first photo is classified at full speed.
 */
import { FishlensError } from '../../shared/errors';
import type {
  Backend,
  ClassifyResult,
  Executor,
  LoadResult,
  MemoryResult,
  RepeatResult,
} from '../../worker/classifier/protocol';
import { WorkerBridge } from './bridge';
import type { Classifier, LoadedPack } from './types';

export type * from './types';

export interface LoadClassifierOptions {
  /** Backends to try, in order; default `auto`: hardware WebGL, then WASM, then CPU. */
  backends?: Backend[];
  /** `fused` (default) or the stock tf.LayersModel (for comparison in tests and the bench). */
  executor?: Executor;
  /** WASM threads where cross-origin isolated: true, false, or `auto` (default: only with 4+ cores). */
  wasmThreads?: boolean | 'auto';
  signal?: AbortSignal;
}

/**
 * Loads a verified pack into a new classifier worker: starts the first backend on which the model
 * loads and warms up, and resolves when the first photo can be classified quickly. The pack's
 * weight buffers are transferred to the worker, so they are detached here afterwards.
 */
export async function loadClassifier(
  pack: LoadedPack,
  options: LoadClassifierOptions = {},
): Promise<Classifier> {
  const bridge = new WorkerBridge();
  const { ref, metadata } = pack;
  const load = await bridge.call<LoadResult>(
    {
      type: 'load',
      pack: ref,
      metadata,
      modelJson: pack.modelJson,
      weightFiles: pack.weightFiles,
      backends: options.backends ?? 'auto',
      executor: options.executor,
      wasmThreads: options.wasmThreads,
    },
    Object.values(pack.weightFiles),
    options.signal,
    () => bridge.fail(new FishlensError('disposed', 'loading was cancelled')),
  );
  const { backend, details } = load;
  const transfer = (photo: Blob | ImageBitmap) => (photo instanceof Blob ? [] : [photo]);
  return {
    backend,
    details,
    pack: ref,
    metadata,
    async classify(photo, signal) {
      const result = await bridge.call<ClassifyResult>(
        { type: 'classify', photo },
        transfer(photo),
        signal,
      );
      return {
        model: ref,
        top: result.top,
        probabilities: result.probabilities,
        decision: result.decision,
        notSure: result.decision.verdict !== 'sure',
        latencyMs: result.latencyMs,
        backend,
        timings: result.timings,
        thumbnail: result.thumbnail,
      };
    },
    memory: () => bridge.call<MemoryResult>({ type: 'memory' }),
    repeat: (photo, count, signal) =>
      bridge.call<RepeatResult>({ type: 'repeat', photo, count }, transfer(photo), signal),
    dispose: () => bridge.fail(new FishlensError('disposed')),
  };
}
