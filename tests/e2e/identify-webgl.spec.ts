import { CHROMIUM_ARGS, chromiumPath, WEBGL_ARGS } from '../support/chromium.js';
import { fixturePhotos, packLabels } from '../support/test-packs.js';
import { browserProbabilities, expect, openReady, test } from './identify-fixtures.js';

// Software WebGL (SwiftShader): slow, but a real WebGL implementation.
test.use({
  launchOptions: { executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, ...WEBGL_ARGS] },
});

test('the WebGL and WASM backends agree on fixture photos (top-1, probabilities within 1e-3)', async ({
  page,
  pack,
}) => {
  const labels = packLabels(pack.dir);
  const photos = fixturePhotos(labels).slice(0, 3);
  await openReady(page, 'wasm', pack);
  const wasm: number[][] = [];
  for (const { file } of photos) wasm.push(await browserProbabilities(page, file));
  await openReady(page, 'webgl', pack);
  for (const [i, { file }] of photos.entries()) {
    const webgl = await browserProbabilities(page, file);
    const top = (p: number[]) => p.indexOf(Math.max(...p));
    expect(top(webgl), file).toBe(top(wasm[i]!));
    webgl.forEach((p, k) =>
      expect(Math.abs(p - wasm[i]![k]!), `${file} ${labels[k]}`).toBeLessThan(1e-3),
    );
  }
});
