/**
 * The page side of the classifier worker, after squoosh's worker-bridge: starts the worker
 * lazily, sends one request at a time, and cancels with an AbortSignal: an aborted call rejects at
 * once with the AbortError, and the next call waits until the worker has finished the abandoned one.
 * A request with a time limit that the worker does not answer in time stops the worker (a GPU
 * driver or a model stuck in a loop never answers, and a wait without end loses the photo and the
 * person's patience): everything pending rejects with `worker-timeout`.
 */
import { abortError, deserializeError, FishlensError } from '../../shared/errors';
import type { WorkerRequest, WorkerResponse } from '../../worker/classifier/protocol';

/** Requests without the id the bridge assigns. */
type Request = WorkerRequest extends infer R
  ? R extends WorkerRequest
    ? Omit<R, 'id'>
    : never
  : never;

const noop = () => {};

/** How one call is sent: transferred objects, cancellation, and the longest wait for an answer. */
export interface CallOptions {
  transfer?: Transferable[];
  signal?: AbortSignal;
  /** Runs when the signal fires while the request is queued or running. */
  onAbort?: () => void;
  /** From sending the request to the worker; none: wait as long as it takes. */
  timeoutMs?: number;
}

export class WorkerBridge {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private tail: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  /** `onFailure` hears of the worker dying or timing out (not of `fail` called by the owner). */
  constructor(private readonly onFailure: (error: Error) => void = noop) {}

  private start(): Worker {
    if (this.failure) throw this.failure;
    if (this.worker) return this.worker;
    const worker = new Worker(
      new URL('../../worker/classifier/classifier.worker.ts', import.meta.url),
      {
        type: 'module',
        name: 'fishlens-classifier',
      },
    );
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
      this.broken(
        new FishlensError(
          'worker-failed',
          event.message || 'the classifier worker failed to start',
        ),
      );
    };
    this.worker = worker;
    return worker;
  }

  private send<T>(request: Request, transfer: Transferable[], timeoutMs?: number): Promise<T> {
    const worker = this.start();
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id }, transfer);
    });
    if (timeoutMs === undefined) return answer;
    const timer = setTimeout(
      () =>
        this.broken(
          new FishlensError(
            'worker-timeout',
            `the classifier worker did not answer "${request.type}" in ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    return answer.finally(() => clearTimeout(timer));
  }

  /** Queues a request. */
  call<T>(request: Request, options: CallOptions = {}): Promise<T> {
    const { transfer = [], signal, onAbort, timeoutMs } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const done = this.tail.then(() => {
      if (signal?.aborted) throw abortError(signal);
      return this.send<T>(request, transfer, timeoutMs);
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

  /** The worker died or stopped answering: fail, and tell the owner. */
  private broken(error: Error): void {
    if (this.failure) return;
    this.fail(error);
    this.onFailure(error);
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
