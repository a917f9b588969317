/**
 * `npm run lint` keeps the architecture's rules: these run the project's own ESLint config and
 * knip on code that breaks a rule, and on code that keeps it, to show the check is what fails.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

/**
 * What the project's ESLint says of `code` if it were the file at `filePath`. The path must be a
 * file the TypeScript projects know (type-aware rules need one); its text on disk is not read.
 */
async function lintMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? ''}: ${m.message}`);
}

describe('ESLint boundaries', () => {
  it('refuses a screen that opens pack storage, and accepts one that uses a hook', async () => {
    const storage = await lintMessages(
      'src/screens/HistoryScreen.tsx',
      "import { openPackStorage } from '../storage/model-packs';\nexport const packs = openPackStorage();\n",
    );
    expect(storage).toEqual([
      expect.stringMatching(/no-restricted-imports: .*Screens never open storage/),
    ]);
    const hook = await lintMessages(
      'src/screens/HistoryScreen.tsx',
      "import { usePackStore } from '../hooks/use-pack-store';\nexport const usePacks = usePackStore;\n",
    );
    expect(hook).toEqual([]);
  });

  it('lets only src/sync call the ingest API', async () => {
    const code = "export const url = '/api/v1/predictions/batch';\n";
    expect(await lintMessages('src/hooks/use-log.ts', code)).toEqual([
      'no-restricted-syntax: Only src/sync/ calls the ingest API.',
    ]);
    expect(await lintMessages('src/sync/api.ts', code)).toEqual([]);
  });

  it('keeps TF.js in the classifier worker', async () => {
    const code = "import * as tf from '@tensorflow/tfjs';\nexport const ready = tf.ready;\n";
    expect(await lintMessages('src/hooks/use-log.ts', code)).toEqual([
      expect.stringMatching(/no-restricted-imports: .*classifier worker/),
    ]);
    expect(await lintMessages('worker/classifier/fused-graph.test.ts', code)).toEqual([]);
  });

  it('keeps the classifier worker a custom bundle: tfjs-core and chosen kernels, never all of TF.js', async () => {
    const whole = "import * as tf from '@tensorflow/tfjs';\nexport const ready = tf.ready;\n";
    expect(await lintMessages('worker/classifier/top.ts', whole)).toEqual([
      expect.stringMatching(/no-restricted-imports: .*tfjs-core, a backend's dist\/base/),
    ]);
    const backend = "import '@tensorflow/tfjs-backend-webgl';\nexport {};\n";
    expect(await lintMessages('worker/classifier/top.ts', backend)).toHaveLength(1);
    const core = "import * as tf from '@tensorflow/tfjs-core';\nexport const ready = tf.ready;\n";
    expect(await lintMessages('worker/classifier/top.ts', core)).toEqual([]);
  });
});

describe('knip', () => {
  it('fails on an exported function nobody imports, naming it', async () => {
    const run = await promisify(execFile)(
      'npx',
      ['knip', '--directory', 'tests/fixtures/lint/unused-export'],
      {
        encoding: 'utf8',
      },
    ).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('Unused exports (1)');
    expect(run.stdout).toMatch(/forgottenSpecies\s+function\s+species\.ts/);
  });
});
