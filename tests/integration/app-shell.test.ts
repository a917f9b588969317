/**
 * The app shell (what the first screen statically imports, from src/main.tsx on) stays free of
 * zod: the shared schemas are a third of the app's script (~25 KB gzip) and load as a chunk of
 * their own (`import()`), when the first pack or server answer is parsed. Type imports are fine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/** Value imports and re-exports of a module (not `import type`, not dynamic `import()`). */
function staticImports(code: string): string[] {
  const statements = code.matchAll(
    /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/gm,
  );
  return [...statements].filter((m) => !m[1]).map((m) => m[2]!);
}

function resolveModule(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return specifier;
  const base = resolve(dirname(from), specifier.replace(/\.js$/, ''));
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && candidate.match(/\.tsx?$/)) return candidate;
  }
  return null;
}

/** Every module the entry reaches through static value imports: a chain per package reached. */
function staticGraph(entry: string): Map<string, string[]> {
  const reached = new Map<string, string[]>([[entry, [entry]]]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (!file.startsWith('/')) continue;
    for (const specifier of staticImports(readFileSync(file, 'utf8'))) {
      const target = resolveModule(file, specifier);
      if (!target || reached.has(target)) continue;
      reached.set(target, [...reached.get(file)!, target]);
      queue.push(target);
    }
  }
  return reached;
}

it('the first screen reaches zod only through import()', () => {
  const graph = staticGraph(join(SRC, 'main.tsx'));
  expect(graph.size).toBeGreaterThan(20);
  expect(graph.has(join(SRC, 'screens/IdentifyScreen.tsx'))).toBe(true);
  const chain = [...graph].find(([module]) => module === 'zod' || module.startsWith('zod/'));
  expect(chain?.[1].map((m) => m.replace(`${dirname(SRC)}/`, '')) ?? []).toEqual([]);
});
