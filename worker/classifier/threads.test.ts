import { describe, expect, it } from 'vitest';
import type { ThreadPool } from './backends';
import type { ThreadTuning } from './protocol';
import { chooseThreads, measureThreads, threadGuard } from './threads';

/** A pool of up to two threads, with a budget of pools like the WASM backend's. */
function fakePool(budget = 5): ThreadPool & { resizes: number[] } {
  let size = 1;
  let pools = 1;
  const resizes: number[] = [];
  return {
    max: 2,
    resizes,
    size: () => size,
    spare: () => budget - pools,
    resize(threads) {
      if (threads === size) return true;
      if (pools >= budget) return false;
      pools++;
      size = threads;
      resizes.push(threads);
      return true;
    },
  };
}

/** A clock, and a forward pass that takes `ms(threads)` on it. */
function fakeDevice(pool: ThreadPool, ms: (threads: number) => number) {
  let clock = 0;
  return {
    now: () => clock,
    run: () => {
      clock += ms(pool.size());
      return Promise.resolve();
    },
  };
}

describe('measuring threads at warm-up', () => {
  it('keeps the pool when both cores are free and it is clearly faster', async () => {
    const pool = fakePool();
    const device = fakeDevice(pool, (t) => (t === 1 ? 30 : 17));
    const tuning = await measureThreads(pool, device.run, device.now);
    expect(tuning).toMatchObject({ threads: 2, max: 2, oneThreadMs: 30, manyThreadsMs: 17 });
    expect(pool.size()).toBe(2);
  });

  it('keeps one thread when a busy core makes the pool slower, or barely faster', async () => {
    for (const many of [60, 28]) {
      const pool = fakePool();
      const device = fakeDevice(pool, (t) => (t === 1 ? 30 : many));
      const tuning = await measureThreads(pool, device.run, device.now);
      expect(tuning.threads).toBe(1);
      expect(pool.size()).toBe(1);
    }
  });
});

describe('choosing threads at warm-up', () => {
  const remembered = (threads: number): ThreadTuning => ({
    threads,
    max: 2,
    oneThreadMs: 30,
    manyThreadsMs: threads === 1 ? 60 : 17,
    measuredAt: 1,
  });

  it('starts again without threads when a busy core makes one thread faster', async () => {
    const pool = fakePool();
    const device = fakeDevice(pool, (t) => (t === 1 ? 30 : 60));
    const choice = await chooseThreads(pool, undefined, device.run, device.now);
    expect(choice).toMatchObject({ withoutThreads: true, tuning: { threads: 1 } });
  });

  it('keeps the threaded module and its pool when the pool is faster', async () => {
    const pool = fakePool();
    const device = fakeDevice(pool, (t) => (t === 1 ? 30 : 17));
    const choice = await chooseThreads(pool, undefined, device.run, device.now);
    expect(choice).toMatchObject({ withoutThreads: false, tuning: { threads: 2 } });
    expect(pool.size()).toBe(2);
  });

  it('uses a remembered tuning without measuring: one thread starts again without threads', async () => {
    for (const threads of [1, 2]) {
      const pool = fakePool();
      let runs = 0;
      const run = () => {
        runs++;
        return Promise.resolve();
      };
      const choice = await chooseThreads(pool, remembered(threads), run);
      expect(runs).toBe(0);
      expect(choice.tuning).toEqual(remembered(threads));
      expect(choice.withoutThreads).toBe(threads === 1);
      expect(pool.size()).toBe(threads);
    }
  });
});

describe('the guard while classifying', () => {
  const tuning: ThreadTuning = {
    threads: 2,
    max: 2,
    oneThreadMs: 30,
    manyThreadsMs: 17,
    measuredAt: 0,
  };

  it('drops to one thread once the pool runs slower than one thread did, and retries it later', () => {
    const pool = fakePool();
    pool.resize(2);
    let now = 0;
    const observe = threadGuard(pool, tuning, () => now);
    for (const ms of [17, 18, 16, 19]) observe(ms);
    expect(pool.size()).toBe(2);
    // A core gets busy: three slow passes in a row.
    for (const ms of [55, 60, 58]) observe(ms);
    expect(pool.size()).toBe(1);
    now += 10_000;
    observe(30);
    expect(pool.size()).toBe(1);
    now += 25_000;
    observe(30);
    expect(pool.size()).toBe(2);
  });

  it('never tries the pool again when too few pools are left to come back to one thread', () => {
    const pool = fakePool(3);
    pool.resize(2);
    let now = 0;
    const observe = threadGuard(pool, tuning, () => now);
    for (const ms of [55, 60, 58]) observe(ms);
    expect(pool.size()).toBe(1);
    now += 60_000;
    observe(30);
    expect(pool.size()).toBe(1);
    expect(pool.resizes).toEqual([2, 1]);
  });

  it('does nothing when one thread was kept', () => {
    const pool = fakePool();
    const observe = threadGuard(pool, { ...tuning, threads: 1 });
    for (const ms of [55, 60, 58, 70]) observe(ms);
    expect(pool.resizes).toEqual([]);
  });
});
