/**
 * Every backend this machine's Chromium can run gives the same answers as WASM: software WebGPU
 * (SwiftShader, behind --enable-unsafe-webgpu), software WebGL (SwiftShader) and plain-JavaScript
 * CPU, each compared photo by photo with WASM (which identify.spec.ts compares with Node).
 */
import type { Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath, WEBGL_ARGS, WEBGPU_ARGS } from '../support/chromium.js';
import { fixturePhotos, packLabels, type TestPack } from '../support/test-packs.js';
import { browserProbabilities, expect, openReady, test } from './identify-fixtures.js';

test.use({
  launchOptions: {
    executablePath: chromiumPath(),
    args: [...CHROMIUM_ARGS, ...WEBGL_ARGS, ...WEBGPU_ARGS],
  },
});

/** Software GPUs are slow (WebGPU on SwiftShader takes seconds per photo): a few photos do. */
const PHOTOS = 3;

async function probabilities(page: Page, backend: string, pack: TestPack): Promise<number[][]> {
  await openReady(page, backend, pack);
  const photos = fixturePhotos(packLabels(pack.dir)).slice(0, PHOTOS);
  const out: number[][] = [];
  for (const { file } of photos) out.push(await browserProbabilities(page, file));
  return out;
}

/** What the page's WebGPU offers, or why there is none. */
async function webGpuAdapter(page: Page): Promise<string | null> {
  await page.goto('/');
  return page.evaluate(async () => {
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    return gpu && (await gpu.requestAdapter()) ? null : 'no WebGPU adapter in this Chromium';
  });
}

for (const backend of ['webgpu', 'webgl', 'cpu']) {
  test(`${backend} gives the WASM top-1 label and probabilities (within 1e-3) for fixture photos`, async ({
    page,
    pack,
  }) => {
    test.setTimeout(300_000);
    if (backend === 'webgpu') {
      const missing = await webGpuAdapter(page);
      // The check stays: on a machine with WebGPU it runs.
      test.skip(missing !== null, `${missing}: the WebGPU comparison cannot run here`);
    }
    const labels = packLabels(pack.dir);
    const wasm = await probabilities(page, 'wasm', pack);
    const other = await probabilities(page, backend, pack);
    const top = (p: number[]) => p.indexOf(Math.max(...p));
    other.forEach((probs, i) => {
      expect(top(probs), `photo ${i}`).toBe(top(wasm[i]!));
      probs.forEach((p, k) =>
        expect(Math.abs(p - wasm[i]![k]!), `photo ${i} ${labels[k]}`).toBeLessThan(1e-3),
      );
    });
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-backend', backend);
  });
}
