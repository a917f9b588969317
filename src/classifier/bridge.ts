/**
 * The page side of the classifier worker, after squoosh's worker-bridge: starts the worker
 * lazily, sends one request at a time, and cancels with an AbortSignal: an aborted call rejects at
 * once with the AbortError, and the next call waits until the worker has finished the abandoned one.
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

export class WorkerBridge {
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
      this.fail(
        new FishlensError(
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
