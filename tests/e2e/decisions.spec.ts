/**
 * The browser (WASM) gives the same decision as Node — "sure", "not sure" or "not one of my
 * species" — for every fixture photo on both demo packs. The worker and `npm run eval` share
 * shared/decision.ts; this checks that what feeds it in the browser (the fused executor's
 * probabilities and unknown-detection layer, from one forward pass) matches Node's layers model.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import {
  FIXTURES,
  labelledPhotos,
  nodeDecisions,
  ROOT,
  UNSURE_FIXTURES,
} from '../support/test-packs.js';
import type {} from '../../src/dev/debug.js'; // window.fishlensDebug
import { DEMO_PACKS_DIR, test } from './demo-server.js';
import { expect } from './fixtures.js';
import { openReady } from './identify-fixtures.js';

const UNKNOWN = join(ROOT, 'tests/fixtures/unknown');
const isPhoto = (f: string) => /\.(png|jpe?g)$/i.test(f);

/**
 * Every fixture photo: the river fish by species (those the river pack names and those it is not
 * sure about), then the photos of none of the river species.
 */
const PHOTOS = [
  ...labelledPhotos(FIXTURES),
  ...labelledPhotos(UNSURE_FIXTURES),
  ...readdirSync(UNKNOWN)
    .filter(isPhoto)
    .map((f) => join(UNKNOWN, f)),
].sort();

for (const name of ['river-fish', 'reef-fish']) {
  test(`${name}: every fixture photo gets the same decision in the browser as in Node`, async ({
    page,
  }) => {
    test.setTimeout(600_000);
    const pack = join(DEMO_PACKS_DIR, name);
    const metadata = JSON.parse(readFileSync(join(pack, 'metadata.json'), 'utf8')) as {
      unknown?: unknown;
    };
    // The demo packs carry unknown-detection data, so the browser must compute its layer too.
    expect(metadata.unknown, 'the demo pack has unknown-detection data').toBeDefined();
    const expected = await nodeDecisions(pack, PHOTOS);
    const verdicts = Object.values(expected).map((d) => d.verdict);
    // The check covers every answer, including photos the pack calls none of its species; on
    // the river pack, whose fish these are, all three.
    expect(verdicts).toContain('unknown');
    expect(verdicts.filter((v) => v !== 'unknown').length).toBeGreaterThan(0);
    if (name === 'river-fish')
      expect(verdicts).toEqual(expect.arrayContaining(['sure', 'not-sure']));
    await openReady(page, 'wasm', { packsDir: DEMO_PACKS_DIR, dir: pack, name });
    for (const file of PHOTOS) {
      const type = extname(file) === '.png' ? 'image/png' : 'image/jpeg';
      const decision = await page.evaluate(
        async ([data, mime]) => {
          const blob = new Blob([new Uint8Array(data as number[])], { type: mime });
          return (await window.fishlensDebug!.classifier!.classify(blob)).decision;
        },
        [[...readFileSync(file)], type] as const,
      );
      const want = expected[file]!;
      expect(decision.verdict, file).toBe(want.verdict);
      expect(decision.ranked[0]!.id, file).toBe(want.ranked[0]!.id);
      expect(Math.abs(decision.ranked[0]!.probability - want.ranked[0]!.probability)).toBeLessThan(
        1e-3,
      );
    }
  });
}
