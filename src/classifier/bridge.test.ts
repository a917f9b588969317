/**
 * The page side of the worker protocol, with a stand-in Worker (Node has no Web Workers): what the
 * bridge does when the worker answers, answers late, never answers, or dies. The real worker is
 * driven by the browser tests.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorCode, FishlensError } from '../../shared/errors';
import type { WorkerRequest } from '../../worker/classifier/protocol';
import { WorkerBridge } from './bridge';

/** Records what the page posts; the test answers (or does not) for the worker. */
class StandInWorker {
  static last: StandInWorker | undefined;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  readonly posted: WorkerRequest[] = [];
  terminated = false;
  constructor() {
    StandInWorker.last = this;
  }
  postMessage(request: WorkerRequest): void {
    this.posted.push(request);
  }
  terminate(): void {
    this.terminated = true;
  }
  answer(result: unknown, id = this.posted.at(-1)!.id): void {
    this.onmessage?.({ data: { id, ok: true, result } } as MessageEvent);
  }
}

const memory = { type: 'memory' } as const;

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('Worker', StandInWorker);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  StandInWorker.last = undefined;
});

describe('WorkerBridge', () => {
  it('resolves an answer that comes in time, and the time limit does not fire afterwards', async () => {
    const onFailure = vi.fn();
    const bridge = new WorkerBridge(onFailure);
    const call = bridge.call<string>(memory, { timeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(500);
    StandInWorker.last!.answer('fine');
    await expect(call).resolves.toBe('fine');
    await vi.advanceTimersByTimeAsync(5000);
    expect(onFailure).not.toHaveBeenCalled();
    expect(StandInWorker.last!.terminated).toBe(false);
  });

  it('stops a worker that does not answer in time: the call, the queued one and later ones reject with worker-timeout', async () => {
    const onFailure = vi.fn();
    const bridge = new WorkerBridge(onFailure);
    const stuck = bridge.call(memory, { timeoutMs: 1000 });
    const queued = bridge.call(memory, { timeoutMs: 1000 });
    const stuckError = expect(stuck).rejects.toSatisfy((e) => errorCode(e) === 'worker-timeout');
    const queuedError = expect(queued).rejects.toSatisfy((e) => errorCode(e) === 'worker-timeout');
    await vi.advanceTimersByTimeAsync(999);
    expect(onFailure).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await stuckError;
    await queuedError;
    expect(StandInWorker.last!.terminated).toBe(true);
    // The queued request was never sent to the stuck worker.
    expect(StandInWorker.last!.posted).toHaveLength(1);
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(errorCode(onFailure.mock.calls[0]![0])).toBe('worker-timeout');
    await expect(bridge.call(memory)).rejects.toSatisfy((e) => errorCode(e) === 'worker-timeout');
  });

  it('waits as long as it takes for a call without a time limit', async () => {
    const bridge = new WorkerBridge();
    const call = bridge.call<string>(memory);
    await vi.advanceTimersByTimeAsync(3_600_000);
    StandInWorker.last!.answer('late');
    await expect(call).resolves.toBe('late');
  });

  it('reports a worker that dies as worker-failed, but not its own disposal', async () => {
    const onFailure = vi.fn();
    const dying = new WorkerBridge(onFailure);
    const call = dying.call(memory);
    await vi.advanceTimersByTimeAsync(0);
    StandInWorker.last!.onerror!({ message: 'boom', preventDefault() {} } as ErrorEvent);
    await expect(call).rejects.toSatisfy((e) => errorCode(e) === 'worker-failed');
    expect(onFailure).toHaveBeenCalledTimes(1);

    const onDisposedFailure = vi.fn();
    const disposed = new WorkerBridge(onDisposedFailure);
    const pending = disposed.call(memory, { timeoutMs: 1000 });
    disposed.fail(new FishlensError('disposed'));
    await expect(pending).rejects.toSatisfy((e) => errorCode(e) === 'disposed');
    await vi.advanceTimersByTimeAsync(5000);
    expect(onDisposedFailure).not.toHaveBeenCalled();
  });
});
