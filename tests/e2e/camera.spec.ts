/**
 * A live camera view where the browser allows it. Chromium's fake capture device plays
 * a fixture fish photo as the camera (--use-file-for-fake-video-capture, MJPEG), the fake media
 * UI and the granted 'camera' permission open it without a prompt. A refused camera is
 * camera-denied.spec.ts (other Chromium flags, so another browser).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium.js';
import { fixturePhotos, packLabels } from '../support/test-packs.js';
import { expect, identify, openReady, test as base } from './identify-fixtures.js';

/** The fake camera's picture: a fixture photo as a 640×480 JPEG, also given as a file to compare. */
interface CameraPicture {
  mjpeg: string;
  jpeg: Buffer;
}

const test = base.extend<Record<never, never>, { cameraPicture: CameraPicture }>({
  cameraPicture: [
    async ({ pack }, use) => {
      const [photo] = fixturePhotos(packLabels(pack.dir));
      const jpeg = await sharp(photo!.file)
        .resize(640, 480, { fit: 'fill' })
        .jpeg({ quality: 95 })
        .toBuffer();
      const dir = mkdtempSync(join(tmpdir(), 'fishlens-camera-'));
      const mjpeg = join(dir, 'fish.mjpeg');
      // An MJPEG file is JPEG frames back to back; Chromium loops it as the camera's stream.
      writeFileSync(mjpeg, Buffer.concat([jpeg, jpeg]));
      try {
        await use({ mjpeg, jpeg });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    { scope: 'worker' },
  ],
  launchOptions: [
    async ({ cameraPicture }, use) =>
      use({
        executablePath: chromiumPath(),
        args: [
          ...CHROMIUM_ARGS,
          '--use-fake-device-for-media-stream',
          '--use-fake-ui-for-media-stream',
          `--use-file-for-fake-video-capture=${cameraPicture.mjpeg}`,
        ],
      }),
    { scope: 'worker' },
  ],
});

test.use({ permissions: ['camera'] });

/** The prediction card's top-1 label and probability, once a result newer than `before` is shown. */
async function nextPrediction(page: Page, before: number) {
  await page.waitForFunction(
    (b) =>
      Number(document.querySelector<HTMLElement>('[data-testid="prediction"]')?.dataset.seq ?? 0) >
      b,
    before,
  );
  const card = page.getByTestId('prediction');
  return {
    label: (await card.getAttribute('data-label')) ?? '',
    probability: Number(await card.getAttribute('data-probability')),
  };
}

test('the live camera view shows the camera, and a captured frame is identified like the same picture as a file', async ({
  page,
  pack,
  cameraPicture,
}) => {
  await openReady(page, 'wasm', pack);
  await page.getByRole('button', { name: 'Live camera' }).click();
  const view = page.getByTestId('camera');
  await expect(view).toHaveAttribute('data-live', 'true');
  const size = await view
    .locator('video')
    .evaluate((v: HTMLVideoElement) => [v.videoWidth, v.videoHeight]);
  expect(size).toEqual([640, 480]);

  await page.getByRole('button', { name: 'Identify this frame' }).click();
  const fromCamera = await nextPrediction(page, 0);
  expect(fromCamera.label).not.toBe('');
  expect(fromCamera.probability).toBeGreaterThan(0);
  await expect(page.getByTestId('identify-error')).toHaveCount(0);

  // The same picture as a file: the camera frame went through YUV and JPEG, so allow some drift,
  // but it must be the same species.
  const fromFile = await identify(page, {
    name: 'camera-picture.jpg',
    mimeType: 'image/jpeg',
    buffer: cameraPicture.jpeg,
  });
  expect(fromFile).toMatchObject({ kind: 'prediction', label: fromCamera.label });

  // Closing the view stops the camera.
  await page.getByRole('button', { name: 'Close camera' }).click();
  await expect(view).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Live camera' })).toBeVisible();
});

test('where the browser has no getUserMedia (an insecure page) the app says there is no live view, and the file input works', async ({
  page,
  pack,
}) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'mediaDevices', { get: () => undefined });
  });
  await openReady(page, 'wasm', pack);
  await expect(page.getByTestId('camera-unsupported')).toHaveText(
    'This browser has no live camera view here. Take or choose a photo instead.',
  );
  await expect(page.getByRole('button', { name: 'Live camera' })).toHaveCount(0);
  const [photo] = fixturePhotos(packLabels(pack.dir));
  expect(await identify(page, photo!.file)).toMatchObject({ kind: 'prediction' });
});
