/**
 * The live camera view, refused: Chromium's fake permission UI answers "Block"
 * (--use-fake-ui-for-media-stream=deny), so getUserMedia rejects with NotAllowedError as it does
 * when a person refuses. The app must say so and keep the file input working.
 */
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium.js';
import { fixturePhotos, packLabels } from '../support/test-packs.js';
import { expect, identify, openReady, test } from './identify-fixtures.js';

test.use({
  launchOptions: {
    executablePath: chromiumPath(),
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream=deny',
    ],
  },
});

test('when camera access is refused the app says so, and a photo from the file input is still identified', async ({
  page,
  pack,
}) => {
  await openReady(page, 'wasm', pack);
  await page.getByRole('button', { name: 'Live camera' }).click();
  const error = page.getByTestId('identify-error');
  await expect(error).toHaveAttribute('data-code', 'camera-denied');
  await expect(error).toContainText('Camera access was refused');
  await expect(page.getByTestId('camera')).toHaveCount(0);

  const [photo] = fixturePhotos(packLabels(pack.dir));
  expect(await identify(page, photo!.file)).toMatchObject({ kind: 'prediction' });
  await expect(page.getByTestId('identify-error')).toHaveCount(0);
});
