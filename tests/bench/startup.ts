/**
 * Cold-start benchmark: the installed app reopened offline in Chromium, as a person at the water
 * opens it from the home screen. Per build it serves the app (the real server, river-fish
 * published), visits once online (service worker installs the app, the pack is installed), stops
 * the server, and then, each round, starts a fresh browser process on that profile, offline, and
 * times (ms from navigation start, in the page):
 *   shellMs        the first screen rendered (its heading in the DOM)
 *   packReadMs     the pack read from IndexedDB and handed to the classifier worker
 *   workerReadyMs  the classifier worker's script loaded and evaluated (it answered a probe message)
 *   modelReadyMs   the model status says ready (pack read from IndexedDB, backend, weights, warm-up)
 * and from a photo handed to the Identify screen to its result shown:
 *   firstAnswerMs  the first photo after ready (a fixture photo), steadyAnswerMs the median of the
 *   next five, photoAnswerMs a 12-megapixel phone JPEG (4032×3024).
 *   npm run -s bench:startup -- [--json] [--rounds 5] [--skip-build] [--compare <checkout>] [--photo <jpeg>]
 * --compare runs another checkout's build (its own server, serving that checkout's demo packs) in
 * the same run, alternating with this one round by round, and prints medians and ratios (this ÷
 * other).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium.js';
import { startFishlens, type FishlensServer } from '../support/fishlens-server.js';
import { freePort } from '../support/postgres.js';
import { fixturePhotos, identificationPack, packLabels, ROOT } from '../support/test-packs.js';
import { phonePhoto } from '../support/phone-photo.js';
import { bundleSizes } from './bundle.js';

const METRICS = [
  'shellMs',
  'packReadMs',
  'workerReadyMs',
  'modelReadyMs',
  'firstAnswerMs',
  'steadyAnswerMs',
  'photoAnswerMs',
] as const;
type Metric = (typeof METRICS)[number];
type Sample = Record<Metric, number> & {
  details: string;
  loadAverage1m: number;
  /** Inside the worker's load (debug): probes, backend, model build, warm-up, threads. */
  worker?: Record<string, number>;
};

interface Build {
  name: 'this' | 'compare';
  root: string;
  /** The demo packs its server publishes. */
  packs: string;
  server: FishlensServer;
  profile: string;
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Recorded in the page from its first script on: marks relative to navigation start, and each
 * answer's time from the photo input's change event to the result card's next sequence number.
 * The worker probe is a message with id -1 posted right after the worker is created: the worker
 * answers it once its script has been evaluated (unknown requests get an empty answer; the bridge
 * ignores ids it did not send). A string, so tsx's helpers never end up in the page.
 */
const PAGE_PROBE = `(() => {
  const t = (window.__startup = { marks: {}, answers: [], given: 0, seq: 0 });
  const mark = (name) => { if (!(name in t.marks)) t.marks[name] = performance.now(); };
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(url, options) {
      super(url, options);
      if (options && options.name === 'fishlens-classifier' && !('workerCreated' in t.marks)) {
        mark('workerCreated');
        this.addEventListener('message', (e) => { if (e.data && e.data.id === -1) mark('workerReady'); });
        this.postMessage({ id: -1, type: 'startup-probe' });
      }
    }
    postMessage(message, transfer) {
      if (message && message.type === 'load') mark('packRead');
      return super.postMessage(message, transfer);
    }
  };
  document.addEventListener('change', (e) => {
    if (e.target && e.target.matches && e.target.matches('[data-testid="photo-input"]')) t.given = performance.now();
  }, true);
  new MutationObserver(() => {
    if (document.querySelector('h1')) mark('shell');
    const status = document.querySelector('[data-testid="model-status"]');
    if (status && status.getAttribute('data-state') === 'ready') mark('modelReady');
    const card = document.querySelector('[data-testid="prediction"], [data-testid="identify-error"]');
    const seq = card ? Number(card.getAttribute('data-seq') || 0) : 0;
    if (seq > t.seq) { t.seq = seq; t.answers.push(performance.now() - t.given); }
  }).observe(document, { subtree: true, childList: true, attributes: true });
})();`;

interface PageRecord {
  marks: Record<string, number>;
  answers: number[];
}

const record = (page: Page) =>
  page.evaluate(() => (window as unknown as { __startup: PageRecord }).__startup);

async function answer(page: Page, photo: string): Promise<number> {
  const before = (await record(page)).answers.length;
  await page.setInputFiles('[data-testid="photo-input"]', photo);
  await page.waitForFunction(
    (n) => (window as unknown as { __startup: PageRecord }).__startup.answers.length > n,
    before,
    { timeout: 120_000 },
  );
  const { answers } = await record(page);
  return answers[answers.length - 1]!;
}

async function launch(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 360, height: 740 },
  });
}

async function waitReady(page: Page): Promise<void> {
  const status = page.getByTestId('model-status');
  await status
    .and(page.locator('[data-state="ready"], [data-state="error"]'))
    .waitFor({ timeout: 300_000 });
  if ((await status.getAttribute('data-state')) !== 'ready')
    throw new Error(`the model did not load: ${await status.innerText()}`);
}

/**
 * A first start asks which pack to download (builds before that choice installed river-fish on
 * their own): picks river-fish when asked.
 */
async function choosePackIfAsked(page: Page): Promise<void> {
  const choice = page.locator('[data-testid="pack-option"][data-model="river-fish"]');
  const settled = page.locator(
    '[data-testid="model-status"]:is([data-state="ready"], [data-state="error"])',
  );
  await choice.or(settled).first().waitFor({ timeout: 300_000 });
  if (await choice.isVisible()) await choice.getByTestId('choose-pack').click();
}

/** The online visit: the service worker precaches the app, the pack is installed and used once. */
async function install(build: Build, photo: string): Promise<void> {
  const context = await launch(build.profile);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript({ content: PAGE_PROBE });
    await page.goto(build.server.url);
    await choosePackIfAsked(page);
    await waitReady(page);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
      timeout: 120_000,
    });
    await answer(page, photo);
  } finally {
    await context.close();
  }
  await build.server.stop();
}

async function coldStart(build: Build, photo: string, phone: string): Promise<Sample> {
  const loadAverage1m = round1(loadavg()[0] ?? NaN);
  const context = await launch(build.profile);
  try {
    await context.setOffline(true);
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript({ content: PAGE_PROBE });
    await page.goto(build.server.url);
    await waitReady(page);
    const { marks } = await record(page);
    const [details, worker] = await page.evaluate(() => {
      const classifier = window.fishlensDebug?.classifier;
      // Older builds have no loadTimings.
      const timings = (classifier as { loadTimings?: Record<string, number> } | undefined)
        ?.loadTimings;
      return [classifier?.details ?? '', timings] as const;
    });
    const firstAnswerMs = await answer(page, photo);
    const steady: number[] = [];
    for (let i = 0; i < 5; i++) steady.push(await answer(page, photo));
    const photoAnswerMs = await answer(page, phone);
    return {
      shellMs: round1(marks.shell ?? NaN),
      packReadMs: round1(marks.packRead ?? NaN),
      workerReadyMs: round1(marks.workerReady ?? NaN),
      modelReadyMs: round1(marks.modelReady ?? NaN),
      firstAnswerMs: round1(firstAnswerMs),
      steadyAnswerMs: round1(median(steady)),
      photoAnswerMs: round1(photoAnswerMs),
      details,
      worker,
      loadAverage1m,
    };
  } finally {
    await context.close();
  }
}

function summarize(samples: Sample[]): Record<Metric, number> & { loadAverages1m: number[] } {
  const out = { loadAverages1m: samples.map((s) => s.loadAverage1m) } as Record<Metric, number> & {
    loadAverages1m: number[];
  };
  for (const metric of METRICS) out[metric] = round1(median(samples.map((s) => s[metric])));
  return out;
}

/**
 * The demo packs a build is served: its own checkout's, as it shipped with them. An older server
 * refuses packs of a newer format (a strict metadata schema: a build of 31b1cab logs
 * `labels.0: Unrecognized key: "references"` and publishes nothing, so its app never gets ready).
 * A checkout without demo packs gets this one's identification pack.
 */
function demoPacksOf(root: string, fallback: string): string {
  const own = join(root, 'models/demo');
  return existsSync(join(own, 'river-fish/manifest.json')) ? own : fallback;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const rounds = Number(option(argv, 'rounds') ?? 5);
  const compare = option(argv, 'compare');
  const log = (message: string) => (json ? process.stderr : process.stdout).write(`${message}\n`);
  const roots: [Build['name'], string][] = [['this', ROOT]];
  if (compare) roots.push(['compare', resolve(compare)]);
  if (!argv.includes('--skip-build')) {
    for (const [name, root] of roots) {
      log(`building ${name} (${root})…`);
      execFileSync(
        process.execPath,
        ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error'],
        { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
      );
    }
  }
  const pack = await identificationPack();
  const [first] = fixturePhotos(packLabels(pack.dir));
  if (!first) throw new Error('no fixture photo');
  const photo = first.file;
  const phone = option(argv, 'photo') ?? (await phonePhoto(photo));
  const builds: Build[] = [];
  try {
    for (const [name, root] of roots) {
      const packs = demoPacksOf(root, pack.packsDir);
      const server = await startFishlens({
        embedded: true,
        root,
        timeoutMs: 300_000,
        // A port of its own: older builds take no `off` here, and both servers run at once.
        env: {
          DEMO_MODELS: 'always',
          DEMO_MODELS_DIR: packs,
          METRICS_PORT: String(await freePort()),
        },
      });
      const build: Build = {
        name,
        root,
        packs,
        server,
        profile: mkdtempSync(join(tmpdir(), 'fishlens-bench-profile-')),
      };
      builds.push(build);
      log(`${name}: first visit online…`);
      await install(build, photo);
    }
    const samples = new Map<Build['name'], Sample[]>(builds.map((b) => [b.name, []]));
    for (let r = 0; r < rounds; r++) {
      // Alternate which build goes first, so drift in the machine's load hits both alike.
      const order = r % 2 === 0 ? builds : [...builds].reverse();
      for (const build of order) {
        const sample = await coldStart(build, photo, phone);
        samples.get(build.name)!.push(sample);
        const line = { build: build.name, round: r + 1, ...sample };
        if (json) process.stdout.write(`${JSON.stringify(line)}\n`);
        else console.log(line);
      }
    }
    const summary: Record<string, unknown> = {};
    for (const build of builds) {
      summary[build.name] = {
        root: build.root,
        packs: build.packs,
        ...summarize(samples.get(build.name)!),
        bundle: (({ files: _files, ...sizes }) => sizes)(bundleSizes(build.root)),
      };
    }
    if (compare) {
      const mine = summarize(samples.get('this')!);
      const theirs = summarize(samples.get('compare')!);
      summary.ratios = Object.fromEntries(
        METRICS.map((m) => [m, Math.round((mine[m] / theirs[m]) * 1000) / 1000]),
      );
    }
    if (json) process.stdout.write(`${JSON.stringify({ summary: true, rounds, ...summary })}\n`);
    else console.dir(summary, { depth: 4 });
  } finally {
    for (const build of builds) {
      await build.server.dispose();
      rmSync(build.profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
