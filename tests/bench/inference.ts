/**
 * Inference benchmark: builds and serves the app (the real server, river-fish published), drives
 * Chromium, and prints one JSON object per backend:
 *   {"backend","model","loadMs","firstPredictionMs","p50Ms","p95Ms","n","longestMainThreadTaskMs", …}
 *   npm run bench:inference -- [--json] [--backends wasm,webgpu,webgl,cpu] [--n 50] [--executor fused|layers] [--threads|--no-threads] [--busy] [--photo <file>] [--skip-build]
 *                              [--packs-dir <folder of packs> --model <pack name>] [--against <folder of packs> [--rounds 10]]
 * --busy keeps one core busy (a process spinning, like another app) from the moment the model is
 * ready, i.e. after warm-up chose its threads: what the thread guard must handle.
 * --packs-dir/--model measure another pack (e.g. an older version of a demo pack) in the same way.
 * --against <folder>: a comparison in one run. The pack of the same name from that folder (e.g. the
 * version before a change) is loaded in a second page beside the first, and the two take turns:
 * `--rounds` rounds of n/rounds classifications each, the order swapped every round. Prints one
 * object per backend with both packs' numbers and their ratios (measured / against), so a slow
 * spell of the shared machine falls on both and not on whichever ran during it. Both pages run
 * the WASM thread pool (`--threads`) unless `--no-threads` says otherwise: left to the app, each
 * page measures one thread against the pool at warm-up and drops or retries the pool as it goes
 * (worker/classifier/threads.ts), so one page can run on the pool while the other runs on one
 * thread, for the whole run or part of it, and the ratio then measures that, not the packs.
 * loadMs: page open → model ready (registry fetch, sha256 checks, worker, backend, weights, warm-up).
 * loadTimings: where the worker's part of it went (backend start, model build, warm-up, threadsMs:
 * the thread policy, with starting again without threads where it keeps one).
 * firstPredictionMs: photo handed to the Identify screen's input → result card shown.
 * p50Ms/p95Ms: classify() of a fixture photo in the worker (preprocessing + forward pass), n times.
 * longestMainThreadTaskMs: the longest the page's main thread was blocked from page open to the end
 * (how late a 10 ms timer fired; no 50 ms floor as with the Long Tasks API);
 * longestMainThreadTaskIdentifyingMs: the same from the first photo on (page and model load excluded).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath, WEBGL_ARGS, WEBGPU_ARGS } from '../support/chromium.js';
import { startFishlens, type FishlensServer } from '../support/fishlens-server.js';
import { FIXTURES, identificationPack, packLabels, ROOT } from '../support/test-packs.js';
import type { RepeatResult } from '../../src/classifier/types.js';
import type {} from '../../src/dev/debug.js'; // window.fishlensDebug

type BenchBackend = 'wasm' | 'webgpu' | 'webgl' | 'cpu';

interface Options {
  json: boolean;
  backends: BenchBackend[];
  n?: number;
  executor: 'fused' | 'layers';
  build: boolean;
  threads: 'on' | 'off' | 'auto';
  /** The photo to classify (default: the first fixture photo of the pack's first label). */
  photo?: string;
  /** Keep one core busy while measuring. */
  busy: boolean;
  /** Packs to serve and the one to measure (default: the river-fish demo pack). */
  pack?: { packsDir: string; name: string };
  /** A folder with another version of the same pack, measured in turns with it. */
  against?: string;
  rounds: number;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const backends = (value('backends') ?? 'wasm,webgpu,webgl,cpu').split(',') as BenchBackend[];
  const n = value('n');
  const packsDir = value('packs-dir');
  const name = value('model');
  if ((packsDir === undefined) !== (name === undefined))
    throw new Error('--packs-dir and --model go together');
  const against = value('against');
  const rounds = Number(value('rounds') ?? 10);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number ≥ 1');
  return {
    json: argv.includes('--json'),
    backends,
    n: n ? Number(n) : undefined,
    executor: value('executor') === 'layers' ? 'layers' : 'fused',
    build: !argv.includes('--skip-build'),
    threads: argv.includes('--threads')
      ? 'on'
      : argv.includes('--no-threads')
        ? 'off'
        : against !== undefined
          ? 'on'
          : 'auto',
    photo: value('photo'),
    busy: argv.includes('--busy'),
    pack: packsDir && name ? { packsDir: resolve(packsDir), name } : undefined,
    against: against === undefined ? undefined : resolve(against),
    rounds,
  };
}

/** A process that spins one core until killed: another app competing for the phone's cores. */
function busyCore(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

/** Default repetitions: enough for a stable p95 where a pass is fast, fewer on the slow backends. */
const DEFAULT_N: Record<BenchBackend, number> = { wasm: 100, webgpu: 30, webgl: 30, cpu: 8 };

/** Software GPUs only behind flags (SwiftShader); WASM and CPU need none. */
const BACKEND_ARGS: Record<BenchBackend, string[]> = {
  wasm: [],
  webgpu: WEBGPU_ARGS,
  webgl: WEBGL_ARGS,
  cpu: [],
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

const round = (x: number) => Math.round(x * 10) / 10;

/** Opens the app with `packName` installed on `backend`; resolves once the model is ready. */
async function openLoaded(
  browser: Browser,
  url: string,
  backend: BenchBackend,
  options: Options,
  packName: string,
): Promise<{ page: Page; loadMs: number }> {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  // Watch the main thread from the first script on: how late a 10 ms timer fires is how long the
  // thread was blocked (±1 ms). A timer, not a MessageChannel ping-pong: the ping-pong kept the
  // page's main thread 100% busy, taking a core from the worker on this 2-core machine.
  // A string, not a function: tsx's keepNames would wrap a named closure in an `__name` helper
  // that does not exist in the page.
  await page.addInitScript({
    content: `(() => {
      const PERIOD_MS = 10;
      window.__longestGapMs = 0;
      window.__longestGapSinceMarkMs = 0;
      let due = performance.now() + PERIOD_MS;
      const tick = () => {
        const now = performance.now();
        window.__longestGapMs = Math.max(window.__longestGapMs, now - due);
        window.__longestGapSinceMarkMs = Math.max(window.__longestGapSinceMarkMs, now - due);
        due = now + PERIOD_MS;
        setTimeout(tick, PERIOD_MS);
      };
      setTimeout(tick, PERIOD_MS);
    })();`,
  });
  const started = Date.now();
  const executor =
    (options.executor === 'layers' ? '&executor=layers' : '') +
    (options.threads === 'auto' ? '' : `&threads=${options.threads}`);
  // `model=`: the pack a person would choose on the first start, installed the same way.
  await page.goto(`${url}/?backend=${backend}&model=${packName}${executor}`);
  const status = page.getByTestId('model-status');
  await status
    .and(page.locator('[data-state="ready"], [data-state="error"]'))
    .waitFor({ timeout: 300_000 });
  if ((await status.getAttribute('data-state')) !== 'ready')
    throw new Error(`${backend}: ${await status.innerText()}`);
  return { page, loadMs: Date.now() - started };
}

async function benchBackend(
  browser: Browser,
  url: string,
  backend: BenchBackend,
  n: number,
  options: Options,
  photo: string,
  packName: string,
) {
  const { page, loadMs } = await openLoaded(browser, url, backend, options, packName);
  const busy = options.busy ? busyCore() : undefined;
  try {
    return await measureLoaded(page, backend, n, options, photo, loadMs);
  } finally {
    busy?.kill();
  }
}

/** Hands `photo` to the Identify screen and waits for the answer: ms until it is shown. */
async function firstPrediction(page: Page, photo: string): Promise<number> {
  const started = Date.now();
  await page.setInputFiles('[data-testid="photo-input"]', photo);
  await page.getByTestId('prediction').waitFor({ timeout: 120_000 });
  return Date.now() - started;
}

const repeatLast = (page: Page, count: number) =>
  page.evaluate((c) => window.fishlensDebug!.repeatLast(c), count);

/** classify() latencies of `repeatLast` runs, and the medians of their stages. */
function latencySummary({ latenciesMs, timings }: Pick<RepeatResult, 'latenciesMs' | 'timings'>) {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    // The fastest run: what the code can do when the shared machine lets it (p50 includes waiting for a core).
    minMs: round(sorted[0] ?? NaN),
    n: sorted.length,
    // Medians of the stages: decode (not in p50Ms), preprocessing and the forward pass alone.
    decodeP50Ms: round(median(timings.map((t) => t.decodeMs))),
    preprocessP50Ms: round(median(timings.map((t) => t.preprocessMs))),
    forwardP50Ms: round(median(timings.map((t) => t.inferenceMs))),
  };
}

async function measureLoaded(
  page: Page,
  backend: BenchBackend,
  n: number,
  options: Options,
  photo: string,
  loadMs: number,
) {
  const status = page.getByTestId('model-status');
  const model = (await status.getAttribute('data-model')) ?? '';
  const [details, loadTimings] = await page.evaluate(() => {
    const { details, loadTimings } = window.fishlensDebug!.classifier!;
    return [details, loadTimings] as const;
  });

  // From here on only identification runs: the page's own work while the worker classifies.
  await page.evaluate(() => {
    (window as unknown as { __longestGapSinceMarkMs: number }).__longestGapSinceMarkMs = 0;
  });
  const firstPredictionMs = await firstPrediction(page, photo);
  const runs = await repeatLast(page, n);
  const [longestMainThreadTaskMs, longestMainThreadTaskIdentifyingMs] = await page.evaluate(() => {
    const w = window as unknown as { __longestGapMs: number; __longestGapSinceMarkMs: number };
    return [w.__longestGapMs, w.__longestGapSinceMarkMs];
  });
  await page.close();
  return {
    backend,
    model,
    loadMs,
    firstPredictionMs,
    ...latencySummary(runs),
    longestMainThreadTaskMs: round(longestMainThreadTaskMs),
    // The same, only from the first photo handed over to the end (not page and model load).
    longestMainThreadTaskIdentifyingMs: round(longestMainThreadTaskIdentifyingMs),
    details,
    loadTimings,
    photo: basename(photo),
    busyCore: options.busy,
    loadAverage1m: round(loadavg()[0] ?? NaN),
  };
}

/** One pack's runs over the rounds of a comparison. */
interface Turns extends Pick<RepeatResult, 'latenciesMs' | 'timings'> {
  details: string;
  roundP50Ms: number[];
}

const summariseTurns = (turns: Turns) => ({
  details: turns.details,
  ...latencySummary(turns),
  roundP50Ms: turns.roundP50Ms.map(round),
});

/**
 * The pack served at `urls.measured` against the one of the same name at `urls.against`, in two
 * pages of one browser taking turns (the order swapped every round), so both see the same spells
 * of a busy machine.
 */
async function compareBackend(
  browser: Browser,
  urls: { measured: string; against: string },
  backend: BenchBackend,
  n: number,
  options: Options,
  photo: string,
  packName: string,
) {
  const measured = await openLoaded(browser, urls.measured, backend, options, packName);
  const against = await openLoaded(browser, urls.against, backend, options, packName);
  const pages = [measured.page, against.page] as const;
  const turns: Turns[] = [];
  for (const page of pages) {
    await firstPrediction(page, photo);
    const details = await page.evaluate(() => window.fishlensDebug!.classifier!.details);
    turns.push({ details, latenciesMs: [], timings: [], roundP50Ms: [] });
  }
  const perRound = Math.max(1, Math.round(n / options.rounds));
  const busy = options.busy ? busyCore() : undefined;
  try {
    for (let r = 0; r < options.rounds; r++) {
      for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
        const { latenciesMs, timings } = await repeatLast(pages[i]!, perRound);
        const t = turns[i]!;
        t.latenciesMs.push(...latenciesMs);
        t.timings.push(...timings);
        t.roundP50Ms.push(median(latenciesMs));
      }
    }
  } finally {
    busy?.kill();
  }
  for (const page of pages) await page.close();
  const [m, a] = turns.map(summariseTurns) as [
    ReturnType<typeof summariseTurns>,
    ReturnType<typeof summariseTurns>,
  ];
  const ratio = (x: number, y: number) => Math.round((x / y) * 1000) / 1000;
  const roundRatios = m.roundP50Ms.map((x, r) => ratio(x, a.roundP50Ms[r]!));
  return {
    backend,
    model: packName,
    photo: basename(photo),
    rounds: options.rounds,
    perRound,
    threads: options.threads,
    measured: { packsDir: options.pack?.packsDir, loadMs: measured.loadMs, ...m },
    against: { packsDir: options.against, loadMs: against.loadMs, ...a },
    // measured / against: p50 and forward pass over all turns, and the median of the rounds' ratios.
    p50Ratio: ratio(m.p50Ms, a.p50Ms),
    forwardP50Ratio: ratio(m.forwardP50Ms, a.forwardP50Ms),
    minRatio: ratio(m.minMs, a.minMs),
    medianRoundRatio: median(roundRatios),
    roundRatios,
    busyCore: options.busy,
    loadAverage1m: round(loadavg()[0] ?? NaN),
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const log = (message: string) => {
    if (!options.json) console.log(message);
    else process.stderr.write(`${message}\n`);
  };
  if (options.build) {
    log('building the app…');
    execFileSync(
      process.execPath,
      ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error'],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  const pack = options.pack
    ? { ...options.pack, dir: join(options.pack.packsDir, options.pack.name) }
    : await identificationPack();
  const [label] = packLabels(pack.dir);
  const photo =
    options.photo ??
    join(
      FIXTURES,
      label!,
      readdirSync(join(FIXTURES, label!))
        .filter((f) => f.endsWith('.png'))
        .sort()[0]!,
    );
  // Embedded PGlite: the bench measures the browser, not the database.
  const server = await startFishlens({
    embedded: true,
    timeoutMs: 300_000,
    env: { DEMO_MODELS: 'always', DEMO_MODELS_DIR: pack.packsDir },
  });
  let againstServer: FishlensServer | undefined;
  try {
    if (options.against)
      againstServer = await startFishlens({
        embedded: true,
        timeoutMs: 300_000,
        env: { DEMO_MODELS: 'always', DEMO_MODELS_DIR: options.against },
      });
    for (const backend of options.backends) {
      const browser = await chromium.launch({
        executablePath: chromiumPath(),
        headless: true,
        args: [...CHROMIUM_ARGS, ...BACKEND_ARGS[backend]],
      });
      try {
        log(`${backend}: measuring…`);
        const n = options.n ?? DEFAULT_N[backend];
        const result = againstServer
          ? await compareBackend(
              browser,
              { measured: server.url, against: againstServer.url },
              backend,
              n,
              options,
              photo,
              pack.name,
            )
          : await benchBackend(browser, server.url, backend, n, options, photo, pack.name);
        if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else console.log(result);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (options.json) process.stdout.write(`${JSON.stringify({ backend, error: message })}\n`);
        else console.error(`${backend}: ${message}`);
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.dispose();
    await againstServer?.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
