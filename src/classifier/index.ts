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
  PrepareResult,
  RepeatResult,
} from '../../worker/classifier/protocol';
import { WorkerBridge } from './bridge';
import { autoBackends, rememberBackend, rememberedTuning, rememberTuning } from './device-tuning';
import type { Classifier, LoadedPack } from './types';

export type * from './types';

export interface LoadClassifierOptions {
  /** Backends to try, in order; default `auto`: hardware WebGPU, hardware WebGL, WASM, CPU. */
  backends?: Backend[];
  /** `fused` (default) or the stock tf.LayersModel (for comparison in tests and the bench). */
  executor?: Executor;
  /** WASM threads where cross-origin isolated: true, false, or `auto` (default: the faster, measured). */
  wasmThreads?: boolean | 'auto';
  signal?: AbortSignal;
  /**
   * The worker died or stopped answering (`worker-failed`, `worker-timeout`): the classifier cannot
   * be used any more and a new one must be loaded. Calls in flight reject with the same error.
   */
  onFailure?: (error: Error) => void;
}

/**
 * The longest waits for the worker before it is taken for stuck and stopped. Loading includes
 * compiling the model for the GPU and the warm-up runs (tens of seconds on a slow phone's WebGL);
 * one photo takes well under a second on any phone that can load the model at all.
 */
const LOAD_TIMEOUT_MS = 300_000;
const CLASSIFY_TIMEOUT_MS = 60_000;

/**
 * Loads a verified pack into a new classifier worker: starts the first backend on which the model
 * loads and warms up, and resolves when the first photo can be classified quickly. Given the pack
 * as a promise (still being read from storage), the worker and its backend start meanwhile. The
 * pack's weight buffers are transferred to the worker, so they are detached here afterwards.
 */
export async function loadClassifier(
  packOrPromise: LoadedPack | Promise<LoadedPack>,
  options: LoadClassifierOptions = {},
): Promise<Classifier> {
  const bridge = new WorkerBridge(options.onFailure);
  const cancelled = () => bridge.fail(new FishlensError('disposed', 'loading was cancelled'));
  const adaptive = (options.wasmThreads ?? 'auto') === 'auto';
  const backends = options.backends ?? autoBackends();
  const { wasmThreads } = options;
  // A backend that fails to start here is tried again, and reported, by `load`.
  const threadTuning = adaptive ? rememberedTuning() : undefined;
  bridge
    .call<PrepareResult>(
      { type: 'prepare', backends, wasmThreads, threadTuning },
      { signal: options.signal, timeoutMs: LOAD_TIMEOUT_MS },
    )
    .catch(() => {});
  let pack: LoadedPack;
  try {
    pack = await packOrPromise;
  } catch (error) {
    bridge.fail(new FishlensError('disposed', 'the pack could not be read'));
    throw error;
  }
  const { ref, metadata } = pack;
  const load = await bridge.call<LoadResult>(
    {
      type: 'load',
      pack: ref,
      metadata,
      modelJson: pack.modelJson,
      weightFiles: pack.weightFiles,
      backends,
      executor: options.executor,
      wasmThreads,
      threadTuning: adaptive ? rememberedTuning(ref) : undefined,
    },
    {
      transfer: Object.values(pack.weightFiles),
      signal: options.signal,
      onAbort: cancelled,
      timeoutMs: LOAD_TIMEOUT_MS,
    },
  );
  const { backend, details } = load;
  if (adaptive && load.threadTuning) rememberTuning(ref, load.threadTuning);
  if (!options.backends) rememberBackend(backend);
  const transfer = (photo: Blob | ImageBitmap) => (photo instanceof Blob ? [] : [photo]);
  return {
    backend,
    details,
    loadTimings: load.timings,
    pack: ref,
    metadata,
    async classify(photo, signal) {
      const result = await bridge.call<ClassifyResult>(
        { type: 'classify', photo },
        { transfer: transfer(photo), signal, timeoutMs: CLASSIFY_TIMEOUT_MS },
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
      bridge.call<RepeatResult>(
        { type: 'repeat', photo, count },
        { transfer: transfer(photo), signal },
      ),
    dispose: () => bridge.fail(new FishlensError('disposed')),
  };
}
