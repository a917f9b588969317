/**
 * `loadClassifier`: the page side of the classifier. A small bridge (after squoosh's
 * worker-bridge) starts the worker lazily, sends one request at a time, and cancels with an
 * AbortSignal: an aborted call rejects at once with the AbortError, and the next call waits
 * until the worker has finished the abandoned one.
 */
import { ClassifierError, abortError, deserializeError } from './errors';
import type {
  ClassifyResult,
  LoadResult,
  MemoryResult,
  RepeatResult,
  WorkerRequest,
  WorkerResponse,
} from './protocol';
import type { Backend, Classification, Classifier, ClassifierOptions, LoadedPack } from './types';

/** Requests without the id the bridge assigns. */
type Request = WorkerRequest extends infer R
  ? R extends WorkerRequest
    ? Omit<R, 'id'>
    : never
  : never;

const noop = () => {};

class WorkerBridge {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private tail: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  private start(): Worker {
    if (this.failure) throw this.failure;
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('../../worker/classifier.worker.ts', import.meta.url), {
      type: 'module',
      name: 'fishlens-classifier',
    });
    worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
      const response = event.data;
      const call = this.pending.get(response.id);
      if (!call) return;
      this.pending.delete(response.id);
      if (response.ok) call.resolve(response.result);
      else call.reject(deserializeError(response.error));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.fail(
        new ClassifierError(
          'worker-failed',
          event.message || 'the classifier worker failed to start',
        ),
      );
    };
    this.worker = worker;
    return worker;
  }

  private send<T>(request: Request, transfer: Transferable[]): Promise<T> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id }, transfer);
    });
  }

  /** Queues a request; `onAbort` runs when the signal fires while the request is queued or running. */
  call<T>(
    request: Request,
    transfer: Transferable[] = [],
    signal?: AbortSignal,
    onAbort?: () => void,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const done = this.tail.then(() => {
      if (signal?.aborted) throw abortError(signal);
      return this.send<T>(request, transfer);
    });
    this.tail = done.then(noop, noop);
    if (!signal) return done;
    return new Promise<T>((resolve, reject) => {
      const abort = () => {
        reject(abortError(signal));
        onAbort?.();
      };
      signal.addEventListener('abort', abort, { once: true });
      done.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
    });
  }

  /** Rejects everything pending with `error` and stops the worker; later calls fail with it. */
  fail(error: Error): void {
    this.failure = error;
    this.worker?.terminate();
    this.worker = undefined;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}

/** Options of `loadClassifier` beyond the contract: which executor runs the model (bench, tests). */
export interface LoadClassifierOptions extends ClassifierOptions {
  /** `fused` (default): BN and ReLU folded into fused convolutions; `layers`: stock tf.LayersModel. */
  executor?: 'fused' | 'layers';
  /** WASM threads where cross-origin isolated: true, false, or `auto` (default: only with 4+ cores). */
  wasmThreads?: boolean | 'auto';
}

/** Per-stage timings of one classification, ms. */
export interface ClassificationTimings {
  decodeMs: number;
  preprocessMs: number;
  inferenceMs: number;
}

/** The classifier `loadClassifier` returns: the contract plus diagnostics for the UI and tests. */
export interface FishlensClassifier extends Classifier {
  classify(
    photo: Blob | ImageBitmap,
    signal?: AbortSignal,
  ): Promise<Classification & { timings: ClassificationTimings }>;
  /** Backend details: SIMD and threads for WASM, the renderer for WebGL, the executor. */
  readonly details: string;
  /** Time to start the backend, build the model and warm it up, ms (measured in the worker). */
  readonly loadMs: number;
  /** TF.js memory in the worker (debug: the leak test). */
  memory(): Promise<MemoryResult>;
  /** Classifies one photo `count` times in the worker; latencies and tensor counts (bench, leak test). */
  repeat(photo: Blob | ImageBitmap, count: number, signal?: AbortSignal): Promise<RepeatResult>;
}

/**
 * Loads a verified pack into a new classifier worker, starts the first working backend
 * (default: hardware WebGL, then WASM, then CPU), warms the model up and resolves when the first
 * photo can be classified quickly. The pack's buffers are copied, so the pack stays usable.
 */
export async function loadClassifier(
  pack: LoadedPack,
  options: LoadClassifierOptions = {},
): Promise<FishlensClassifier> {
  const bridge = new WorkerBridge();
  const { metadata } = pack;
  const load = await bridge.call<LoadResult>(
    {
      type: 'load',
      name: pack.name,
      version: pack.version,
      metadata,
      modelJson: pack.modelJson,
      weightFiles: pack.weightFiles,
      backends: options.backends ?? 'auto',
      executor: options.executor,
      wasmThreads: options.wasmThreads,
    },
    [],
    options.signal,
    () => bridge.fail(new ClassifierError('disposed', 'loading was cancelled')),
  );
  const backend: Backend = load.backend;
  const model = { name: pack.name, version: pack.version };
  return {
    backend,
    details: load.details,
    loadMs: load.loadMs,
    model: { ...model, metadata },
    async classify(photo, signal) {
      const transfer = photo instanceof Blob ? [] : [photo];
      const result = await bridge.call<ClassifyResult>(
        { type: 'classify', photo },
        transfer,
        signal,
      );
      return {
        model,
        top: result.top,
        probabilities: result.probabilities,
        notSure: (result.top[0]?.probability ?? 0) < metadata.notSureBelow,
        latencyMs: result.latencyMs,
        backend,
        timings: result.timings,
      };
    },
    memory: () => bridge.call<MemoryResult>({ type: 'memory' }),
    repeat: (photo, count, signal) =>
      bridge.call<RepeatResult>(
        { type: 'repeat', photo, count },
        photo instanceof Blob ? [] : [photo],
        signal,
      ),
    dispose: () => bridge.fail(new ClassifierError('disposed')),
  };
}
