/**
 * Lighthouse benchmark (not a test): builds and serves the app (the real server with its demo
 * packs), and runs Lighthouse's default mobile preset (emulated mid-range phone, simulated slow
 * 4G and 4× CPU slowdown) in Debian's Chromium on each main screen, as a first visit. Prints the
 * performance, accessibility and best-practices scores (0–100), the core timings, and which
 * audits cost points:
 *   npm run -s bench:lighthouse -- [--json] [--skip-build] [--screens /,/history,/models,/status]
 *     [--save <dir>]   (also writes each screen's full Lighthouse report there, as JSON)
 * The scores move with the machine's load (this one is shared); compare runs made back to back.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium.js';
import { startFishlens } from '../support/fishlens-server.js';
import { ROOT } from '../support/test-packs.js';

const CATEGORIES = ['performance', 'accessibility', 'best-practices'] as const;
const TIMINGS = [
  'first-contentful-paint',
  'largest-contentful-paint',
  'total-blocking-time',
  'cumulative-layout-shift',
  'speed-index',
] as const;

interface Options {
  json: boolean;
  build: boolean;
  screens: string[];
  saveDir: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const i = argv.indexOf('--screens');
  const save = argv.indexOf('--save');
  return {
    saveDir: save >= 0 ? argv[save + 1] : undefined,
    json: argv.includes('--json'),
    build: !argv.includes('--skip-build'),
    screens: (i >= 0 ? argv[i + 1] : undefined)?.split(',') ?? [
      '/',
      '/history',
      '/models',
      '/status',
    ],
  };
}

const score = (value: number | null | undefined) =>
  value === null || value === undefined ? null : Math.round(value * 100);

/** Lighthouse failures of its own trace (NO_NAVSTART on a loaded machine) that a second try fixes. */
const MAX_ATTEMPTS = 3;

/** One screen's report; a run whose trace Lighthouse could not read is made again. */
async function audit(url: string, port: number) {
  for (let attempts = 1; ; attempts++) {
    const run = await lighthouse(url, {
      port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: [...CATEGORIES],
    });
    if (!run) throw new Error(`Lighthouse returned nothing for ${url}`);
    if (!run.lhr.runtimeError || attempts === MAX_ATTEMPTS) return { lhr: run.lhr, attempts };
  }
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const log = (message: string) => {
    if (!options.json) console.log(message);
  };
  if (options.build) {
    log('building the app…');
    execFileSync(
      process.execPath,
      ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error'],
      // The build's own output goes to stderr: stdout is the JSON.
      { cwd: ROOT, stdio: ['ignore', 2, 2] },
    );
  }
  const server = await startFishlens({ timeoutMs: 240_000, env: { DEMO_MODELS: 'always' } });
  const chrome = await chromeLauncher.launch({
    chromePath: chromiumPath(),
    chromeFlags: ['--headless=new', ...CHROMIUM_ARGS],
  });
  const results = [];
  let version = '';
  try {
    for (const screen of options.screens) {
      log(`lighthouse ${screen}…`);
      const { lhr, attempts } = await audit(`${server.url}${screen}`, chrome.port);
      version = lhr.lighthouseVersion;
      if (options.saveDir) {
        mkdirSync(options.saveDir, { recursive: true });
        const file = screen === '/' ? 'identify' : screen.replace(/\W/g, '');
        writeFileSync(join(options.saveDir, `${file}.json`), JSON.stringify(lhr));
      }
      const categories = Object.fromEntries(
        CATEGORIES.map((id) => [id, score(lhr.categories[id]?.score)]),
      );
      // The audits that cost points in the two categories meant to be perfect.
      const failing = (['accessibility', 'best-practices'] as const).flatMap((id) =>
        (lhr.categories[id]?.auditRefs ?? [])
          .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id]?.score ?? 1) < 1)
          .map((ref) => `${id}:${ref.id}`),
      );
      results.push({
        screen,
        performance: categories.performance,
        accessibility: categories.accessibility,
        bestPractices: categories['best-practices'],
        timingsMs: Object.fromEntries(
          TIMINGS.map((id) => [id, lhr.audits[id]?.numericValue ?? null]),
        ),
        failing,
        // What moved, when something did (the elements behind cumulative-layout-shift).
        layoutShifts: (
          (
            lhr.audits['layout-shifts']?.details as
              { items?: { node?: { selector?: string }; score?: number }[] } | undefined
          )?.items ?? []
        ).map((item) => ({ element: item.node?.selector, score: item.score })),
        runWarnings: lhr.runWarnings,
        attempts,
        runtimeError: lhr.runtimeError?.code,
      });
    }
  } finally {
    chrome.kill();
    await server.dispose();
  }
  const report = {
    lighthouse: version,
    preset: 'mobile (Lighthouse default: emulated phone, simulated slow 4G, 4x CPU slowdown)',
    chromium: chromiumPath(),
    screens: results,
  };
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else
    console.table(
      results.map(({ timingsMs: _t, runWarnings: _w, layoutShifts: _l, ...row }) => row),
    );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
