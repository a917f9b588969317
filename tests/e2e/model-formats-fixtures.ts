/**
 * Shared by the model-format specs: a server holding real tensorflowjs_converter output that this
 * project did not write (tests/fixtures/models: a Keras 2 layers model and a graph model from npm
 * packages), published bare with a labels file through `npm run publish-model`, and what stock
 * tf.loadLayersModel / tf.loadGraphModel say about the fixture photos in Node.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { PackMetadata } from '../../shared/pack.js';
import { startFishlens, type FishlensServer } from '../support/fishlens-server.js';
import { publishToServer } from '../support/pack-versions.js';
import { stockProbabilities } from '../support/stock-reference.js';
import { fixturePhotos, ROOT } from '../support/test-packs.js';
import { browserProbabilities, identify } from './identify-fixtures.js';
import { expect, test as base } from './fixtures.js';

export { expect };

interface Export {
  name: string;
  /** The converter output as published (model.json + shards). */
  dir: string;
  /** publish-model arguments beyond the folder. */
  args: string[];
}

export const PHOTOS = fixturePhotos(['bream', 'burbot', 'perch']).map((p) => p.file);

/** Copies of the fixtures, as a user would have them: one with labels.txt, one with a labels file elsewhere. */
function bareExports(): Export[] {
  const root = mkdtempSync(join(tmpdir(), 'fishlens-bare-'));
  const layers = join(root, 'nsfwjs-mobilenet-v2');
  cpSync(join(ROOT, 'tests/fixtures/models/nsfwjs-mobilenet-v2'), layers, { recursive: true });
  const graph = join(root, 'liveness');
  mkdirSync(graph);
  cpSync(join(ROOT, 'tests/fixtures/models/human-liveness/model.json'), join(graph, 'model.json'));
  cpSync(
    join(ROOT, 'tests/fixtures/models/human-liveness/liveness.bin'),
    join(graph, 'liveness.bin'),
  );
  const labels = join(root, 'liveness-labels.txt');
  writeFileSync(labels, 'fake\nreal\n');
  return [
    { name: 'nsfw-layers', dir: layers, args: ['--name', 'nsfw-layers', '--preprocess', 'unit'] },
    {
      name: 'liveness-graph',
      dir: graph,
      args: ['--name', 'liveness-graph', '--labels', labels, '--preprocess', 'unit'],
    },
  ];
}

export interface Published extends Export {
  labels: string[];
  /** Stock TF.js's probabilities for each of PHOTOS. */
  reference: number[][];
}

/** A server whose registry holds exactly the two bare exports, and the stock reference for each. */
export async function serveBareExports(): Promise<{ server: FishlensServer; models: Published[] }> {
  const server = await startFishlens({ timeoutMs: 240_000, env: { DEMO_MODELS: 'never' } });
  const models: Published[] = [];
  for (const model of bareExports()) {
    const output = await publishToServer(server, model.dir, model.args);
    expect(output).toMatch(new RegExp(`Published ${model.name} version 1`));
    const info = (await (await fetch(`${server.url}/api/v1/models/${model.name}`)).json()) as {
      metadata: PackMetadata;
    };
    models.push({
      ...model,
      labels: info.metadata.labels.map((l) => l.id),
      reference: await stockProbabilities(model.dir, info.metadata, PHOTOS),
    });
  }
  return { server, models };
}

export const test = base.extend<
  Record<never, never>,
  { bare: { server: FishlensServer; models: Published[] } }
>({
  bare: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const bare = await serveBareExports();
      try {
        await use(bare);
      } finally {
        await bare.server.dispose();
      }
    },
    { scope: 'worker', timeout: 300_000 },
  ],
  baseURL: async ({ bare }, use) => use(bare.server.url),
});

export async function openModel(page: Page, backend: string, name: string) {
  await page.goto(`/?backend=${backend}&model=${name}`);
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 180_000 });
  await expect(status).toHaveAttribute('data-model', name);
  await expect(status).toHaveAttribute('data-backend', backend);
}

/** Every photo: the Identify screen names the reference's top label; every probability within 1e-3. */
export async function expectStockAnswers(page: Page, model: Published, photos = PHOTOS) {
  for (const [i, photo] of photos.entries()) {
    const expected = model.reference[i]!;
    const top = expected.indexOf(Math.max(...expected));
    const outcome = await identify(page, photo);
    expect(outcome, photo).toMatchObject({ kind: 'prediction', label: model.labels[top] });
    const all = await browserProbabilities(page, photo);
    expect(all).toHaveLength(model.labels.length);
    all.forEach((p, k) =>
      expect(Math.abs(p - expected[k]!), `${model.name} ${photo} ${model.labels[k]}`).toBeLessThan(
        1e-3,
      ),
    );
  }
}
