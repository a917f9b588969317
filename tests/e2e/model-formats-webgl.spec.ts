/**
 * Real converter output published bare (model-formats-fixtures.ts) on software WebGL
 * (SwiftShader: slow, but a real WebGL implementation): one photo per model, each probability
 * within 1e-3 of stock TF.js in Node.
 */
import { CHROMIUM_ARGS, chromiumPath, WEBGL_ARGS } from '../support/chromium.js';
import { expectStockAnswers, openModel, PHOTOS, test } from './model-formats-fixtures.js';

test.use({
  launchOptions: { executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, ...WEBGL_ARGS] },
});

test('bare converter exports identify fish on webgl as stock TF.js does', async ({
  page,
  bare,
}) => {
  test.setTimeout(600_000);
  for (const model of bare.models) {
    await openModel(page, 'webgl', model.name);
    await expectStockAnswers(page, model, PHOTOS.slice(0, 1));
  }
});
