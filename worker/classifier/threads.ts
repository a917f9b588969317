/**
 * The WASM thread policy. Two threads can nearly halve a forward pass when both cores are free and
 * double it when one is busy (each of the ~60 ops waits for its slowest thread), so nothing is
 * assumed from the core count: warm-up measures one thread against the full pool on this device
 * and keeps the faster (the page remembers it per pack: ThreadTuning), and afterwards a guard
 * falls back to one thread as soon as the pool runs slower than one thread did.
 *
 * Where warm-up settles on one thread (measured, or remembered for a worker started with the pool
 * of the pack used last), the backend starts again on the plain SIMD module and the model is built
 * there: the threaded module left at a pool of one (beside the eight idle pthread workers it
 * starts with) ran 1.27× the plain module's p50 in one of three runs with a core busy (about the
 * same in the others), and the next start with that tuning loads the plain module anyway.
 */
import type { ThreadPool } from './backends';
import type { ThreadTuning } from './protocol';

/** Timed runs per setting; each setting gets one untimed run first (caches, XNNPACK set-up). */
const RUNS = 3;
/** The pool must beat one thread by this much to be kept: threads cost the phone's other work. */
const THREADS_MUST_WIN = 0.9;
/** A pool whose recent median is this much slower than one thread is dropped. */
const SLOWER_THAN_ONE = 1.2;
/** After dropping the pool, try it again this much later (the other core may be free again). */
const RETRY_AFTER_MS = 30_000;
/** Forward passes the guard looks at. */
const WINDOW = 3;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function medianMs(run: () => Promise<unknown>, now: () => number): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = now();
    await run();
    times.push(now() - started);
  }
  return median(times);
}

/** Times `run` (one forward pass) with one thread and with the whole pool; leaves the faster set. */
export async function measureThreads(
  pool: ThreadPool,
  run: () => Promise<unknown>,
  now = () => performance.now(),
): Promise<ThreadTuning> {
  pool.resize(1);
  const oneThreadMs = await medianMs(run, now);
  pool.resize(pool.max);
  const manyThreadsMs = await medianMs(run, now);
  const threads = manyThreadsMs < oneThreadMs * THREADS_MUST_WIN ? pool.max : 1;
  pool.resize(threads);
  return {
    threads,
    max: pool.max,
    oneThreadMs: Math.round(oneThreadMs * 10) / 10,
    manyThreadsMs: Math.round(manyThreadsMs * 10) / 10,
    measuredAt: Date.now(),
  };
}

/** What warm-up settled on: the tuning to remember, and whether to start again without threads. */
export interface ThreadChoice {
  tuning: ThreadTuning;
  /** One thread: the plain module (no pool) runs it faster than the threaded module's pool of one. */
  withoutThreads: boolean;
}

/**
 * The thread policy at warm-up: this pack's remembered tuning, else a measurement. The pool is left
 * at the count chosen (the threaded module keeps running where it cannot be restarted).
 */
export async function chooseThreads(
  pool: ThreadPool,
  remembered: ThreadTuning | undefined,
  run: () => Promise<unknown>,
  now = () => performance.now(),
): Promise<ThreadChoice> {
  let tuning = remembered;
  if (tuning) pool.resize(tuning.threads);
  else tuning = await measureThreads(pool, run, now);
  return { tuning, withoutThreads: tuning.threads <= 1 };
}

/**
 * Watches forward passes run with the pool: when their median is slower than one thread was at
 * warm-up (another app or the page is using a core), it drops to one thread, and tries the pool
 * again later, while the budget of pools lasts (see ThreadPool.resize).
 */
export function threadGuard(
  pool: ThreadPool,
  tuning: ThreadTuning,
  now = () => performance.now(),
): (forwardMs: number) => void {
  let recent: number[] = [];
  let droppedAt: number | undefined;
  return (forwardMs) => {
    if (tuning.threads <= 1) return;
    if (pool.size() > 1) {
      recent = [...recent, forwardMs].slice(-WINDOW);
      if (recent.length === WINDOW && median(recent) > tuning.oneThreadMs * SLOWER_THAN_ONE) {
        if (pool.resize(1)) droppedAt = now();
        recent = [];
      }
    } else if (droppedAt !== undefined && now() - droppedAt > RETRY_AFTER_MS && pool.spare() >= 2) {
      // Two pools must be left: one to try the threads, one to come back to a single thread.
      pool.resize(tuning.threads);
      droppedAt = undefined;
    }
  };
}
