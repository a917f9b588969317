/**
 * Bundle sizes of a production build (dist/client), gzip level 9, as a phone downloads and parses
 * them on a cold start:
 *   npm run -s bench:bundle -- [--json] [--root <checkout>]   (builds nothing: run `vite build` first)
 * appShell: index.html + the entry script + the chunks it imports statically + its stylesheets.
 * worker: the classifier worker's entry and the chunks it imports statically (what every start
 * parses), workerLazy: the chunks it may import later (one backend, a model format), workerAll:
 * both; WebAssembly binaries are counted apart (`wasm`), never in the worker's JS.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from '../support/test-packs.js';

export interface BundleSizes {
  appShellGzipBytes: number;
  workerGzipBytes: number;
  workerLazyGzipBytes: number;
  workerAllGzipBytes: number;
  workerRawBytes: number;
  /** Per chunk the worker imports dynamically (a backend, a model format): it and what it adds. */
  workerOnDemandGzipBytes: Record<string, number>;
  wasmBytes: number;
  /** Every counted file with its gzip size, for finding what grew. */
  files: Record<string, number>;
}

const gzipBytes = (text: Buffer) => gzipSync(text, { level: 9 }).length;

/** Static (`import … from "./x.js"`, `import "./x.js"`) and dynamic (`import("./x.js")`) imports of a chunk. */
function importsOf(code: string): { static: string[]; dynamic: string[] } {
  const fileOf = (specifier: string) => specifier.replace(/^.*\//, '');
  const statics = [
    ...code.matchAll(/(?:^|[;}\s])import\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+\.js)["']/g),
  ].map((m) => fileOf(m[1]!));
  const dynamics = [...code.matchAll(/\bimport\(\s*["'`]([^"'`]+\.js)["'`]\s*\)/g)].map((m) =>
    fileOf(m[1]!),
  );
  return { static: statics, dynamic: dynamics };
}

/** The chunk files reachable from `entry` through static imports (entry included). */
function staticClosure(assets: string, entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of importsOf(readFileSync(join(assets, file), 'utf8')).static) visit(next);
  };
  visit(entry);
  return seen;
}

/** Every chunk reachable from `entry` through static or dynamic imports, minus `exclude`. */
function lazyClosure(assets: string, entry: string, exclude: Set<string>): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const { static: s, dynamic: d } = importsOf(readFileSync(join(assets, file), 'utf8'));
    for (const next of [...s, ...d]) visit(next);
  };
  visit(entry);
  for (const file of exclude) seen.delete(file);
  return seen;
}

export function bundleSizes(root = ROOT): BundleSizes {
  const dist = join(root, 'dist/client');
  const assets = join(dist, 'assets');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const files: Record<string, number> = {};
  const count = (path: string, name = path.replace(/^.*\//, '')) => {
    const size = gzipBytes(readFileSync(path));
    files[name] = size;
    return size;
  };
  const linked = (pattern: RegExp) =>
    [...html.matchAll(pattern)].map((m) => m[1]!.replace(/^.*\//, ''));
  const entries = linked(/<script[^>]+type="module"[^>]+src="([^"]+)"/g);
  const preloads = linked(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g);
  const styles = linked(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g);
  const shell = new Set<string>(preloads);
  for (const entry of entries) for (const file of staticClosure(assets, entry)) shell.add(file);
  let appShellGzipBytes = count(join(dist, 'index.html'));
  for (const file of [...shell, ...styles]) appShellGzipBytes += count(join(assets, file));

  const names = readdirSync(assets);
  const workerEntry = names.find((f) => /^classifier\.worker-.*\.js$/.test(f));
  if (!workerEntry) throw new Error(`no classifier worker in ${assets}`);
  const worker = staticClosure(assets, workerEntry);
  const lazy = lazyClosure(assets, workerEntry, worker);
  const sum = (set: Set<string>) =>
    [...set].reduce((total, file) => total + count(join(assets, file)), 0);
  const workerGzipBytes = sum(worker);
  const workerLazyGzipBytes = sum(lazy);
  const workerOnDemandGzipBytes: Record<string, number> = {};
  for (const file of worker) {
    for (const target of importsOf(readFileSync(join(assets, file), 'utf8')).dynamic) {
      const adds = [...staticClosure(assets, target)].filter((f) => !worker.has(f));
      workerOnDemandGzipBytes[target.replace(/-[\w-]{8}\.js$/, '')] = adds.reduce(
        (total, f) => total + gzipBytes(readFileSync(join(assets, f))),
        0,
      );
    }
  }
  const workerRawBytes = [...worker, ...lazy].reduce(
    (total, file) => total + readFileSync(join(assets, file)).length,
    0,
  );
  const wasmBytes = names
    .filter((f) => f.endsWith('.wasm'))
    .reduce((total, file) => total + readFileSync(join(assets, file)).length, 0);
  return {
    appShellGzipBytes,
    workerGzipBytes,
    workerLazyGzipBytes,
    workerAllGzipBytes: workerGzipBytes + workerLazyGzipBytes,
    workerRawBytes,
    workerOnDemandGzipBytes,
    wasmBytes,
    files,
  };
}

function main(): void {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--root');
  const root = i >= 0 ? resolve(argv[i + 1]!) : ROOT;
  const sizes = bundleSizes(root);
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ root, ...sizes })}\n`);
  else console.log({ root, ...sizes });
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main();
