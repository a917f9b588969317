/**
 * Real converter output published bare (model-formats-fixtures.ts) identifies fish in the app on
 * WASM and CPU, each probability within 1e-3 of stock TF.js in Node on the same input, and works
 * offline afterwards. WebGL: model-formats-webgl.spec.ts.
 */
import { identify } from './identify-fixtures.js';
import {
  expect,
  expectStockAnswers,
  openModel,
  PHOTOS,
  serveBareExports,
  test,
} from './model-formats-fixtures.js';

for (const backend of ['wasm', 'cpu'] as const) {
  test(`bare converter exports (Keras 2 layers, graph) identify fish on ${backend} as stock TF.js does`, async ({
    page,
    bare,
  }) => {
    test.setTimeout(300_000);
    for (const model of bare.models) {
      await openModel(page, backend, model.name);
      // The CPU backend is slow: one photo there, all of them on WASM.
      await expectStockAnswers(page, model, backend === 'cpu' ? PHOTOS.slice(0, 1) : PHOTOS);
    }
  });
}

test('after one online visit both bare exports identify offline, with the server gone', async ({
  browser,
}) => {
  test.setTimeout(600_000);
  // Its own server: this test stops it.
  const { server, models } = await serveBareExports();
  const context = await browser.newContext({ baseURL: server.url });
  try {
    const page = await context.newPage();
    const online: string[] = [];
    for (const model of models) {
      await openModel(page, 'wasm', model.name);
      const outcome = await identify(page, PHOTOS[0]!);
      online.push(outcome.kind === 'prediction' ? outcome.label : 'error');
    }
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    await server.stop();
    await context.setOffline(true);
    for (const [i, model] of models.entries()) {
      await openModel(page, 'wasm', model.name);
      expect(await identify(page, PHOTOS[0]!)).toMatchObject({
        kind: 'prediction',
        label: online[i],
      });
    }
  } finally {
    await context.close();
    await server.dispose();
  }
});
