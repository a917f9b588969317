import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { decide } from '../../shared/decision.js';
import { metadataSchema } from '../../shared/pack.js';
import { fixturePhotos, nodeProbabilities, packLabels } from '../support/test-packs.js';
import { expectAccessible } from './axe.js';
import { browserProbabilities, expect, identify, openReady, test } from './identify-fixtures.js';

/** The name the English interface shows for a label: its English name, else its Latin one. */
function englishName(dir: string, id: string): string {
  const metadata = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as {
    labels: { id: string; latin: string; names: Record<string, string> }[];
  };
  const label = metadata.labels.find((l) => l.id === id)!;
  return label.names.en ?? label.latin;
}

/** The pack's first fixture photo: the one file a test needs when any photo of its fish will do. */
const firstPhoto = (dir: string): string => fixturePhotos(packLabels(dir))[0]!.file;

test('fixture photos get the same top-1 label and probabilities (within 1e-3) in the browser (WASM) as in Node', async ({
  page,
  pack,
}) => {
  const labels = packLabels(pack.dir);
  const photos = fixturePhotos(labels);
  expect(photos.length).toBeGreaterThanOrEqual(3);
  const reference = await nodeProbabilities(
    pack.dir,
    photos.map((p) => p.file),
  );
  const metadata = metadataSchema.parse(
    JSON.parse(readFileSync(join(pack.dir, 'metadata.json'), 'utf8')),
  );
  await openReady(page, 'wasm', pack);
  for (const { file } of photos) {
    const expected = reference[file]!;
    // The card shows the calibrated probability: the decision Node makes from the same output.
    const shown = decide({ probabilities: expected }, metadata).ranked[0]!;
    const outcome = await identify(page, file);
    expect(outcome, file).toMatchObject({ kind: 'prediction', label: labels[shown.index] });
    if (outcome.kind !== 'prediction') continue;
    expect(Math.abs(outcome.probability - shown.probability), file).toBeLessThan(1e-3);
    const all = await browserProbabilities(page, file);
    expect(all).toHaveLength(labels.length);
    all.forEach((p, i) =>
      expect(Math.abs(p - expected[i]!), `${file} ${labels[i]}`).toBeLessThan(1e-3),
    );
  }
  const details = page.getByTestId('technical-details');
  await details.getByText('Technical details').click();
  await expect(details).toContainText('WASM');
});

test('200 predictions in a row leave tf.memory().numTensors flat in the worker', async ({
  page,
  pack,
}) => {
  await openReady(page, 'wasm', pack);
  const photo = firstPhoto(pack.dir);
  expect((await identify(page, photo)).kind).toBe('prediction');
  const before = await page.evaluate(() => window.fishlensDebug!.memory());
  const run = await page.evaluate(() => window.fishlensDebug!.repeatLast(200));
  const after = await page.evaluate(() => window.fishlensDebug!.memory());
  expect(run.latenciesMs).toHaveLength(200);
  expect(run.numTensorsAfter).toBe(run.numTensorsBefore);
  expect(after.numTensors).toBe(before.numTensors);
  expect(after.numBytes).toBe(before.numBytes);
});

test('a text file renamed .jpg, a corrupt PNG and a HEIC photo each get a clear message, and the app keeps working', async ({
  page,
  pack,
}) => {
  await openReady(page, 'wasm', pack);
  const text = await identify(page, {
    name: 'fish.jpg',
    mimeType: 'image/jpeg',
    buffer: Buffer.from('this is not a photo of a fish\n'.repeat(20)),
  });
  expect(text).toMatchObject({ kind: 'error', code: 'not-an-image' });
  expect(text.kind === 'error' && text.message).toContain('not an image we can read');

  const photo = firstPhoto(pack.dir);
  const png = readFileSync(photo);
  const corruptBytes = Buffer.concat([png.subarray(0, 60), Buffer.alloc(4000, 0x5a)]);
  const corrupt = await identify(page, {
    name: 'broken.png',
    mimeType: 'image/png',
    buffer: corruptBytes,
  });
  expect(corrupt).toMatchObject({ kind: 'error', code: 'corrupt-image' });

  // The start of a real HEIC file (ftyp box, brand heic) followed by damaged data: Chromium has no HEIC decoder.
  const heicHeader = Buffer.from(
    '0000001c667479706865696300000000' + '6d69663168656963' + '6d696166',
    'hex',
  );
  const heic = await identify(page, {
    name: 'IMG_0001.HEIC',
    mimeType: 'image/heic',
    buffer: Buffer.concat([heicHeader, Buffer.alloc(2000, 1)]),
  });
  expect(heic).toMatchObject({ kind: 'error', code: 'heic-unsupported' });
  expect(heic.kind === 'error' && heic.message).toContain('(HEIC)');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');

  expect((await identify(page, photo)).kind).toBe('prediction');
});

test('a classifier worker that breaks is replaced: the model loads again and the next photo is identified', async ({
  page,
  pack,
}) => {
  await openReady(page, 'wasm', pack);
  const photo = firstPhoto(pack.dir);
  expect((await identify(page, photo)).kind).toBe('prediction');
  const broken = page.workers().find((w) => w.url().includes('classifier'));
  expect(broken).toBeDefined();
  const replacement = page.waitForEvent('worker', (w) => w.url().includes('classifier'));
  // An uncaught error in the worker reaches the page as the Worker's error event, as a crashed
  // backend's would.
  await broken!.evaluate(() => {
    setTimeout(() => {
      throw new Error('simulated crash of the classifier worker');
    });
  });
  await replacement;
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  expect((await identify(page, photo)).kind).toBe('prediction');
});

test('a 50-megapixel photo is decoded downscaled and identified like the original', async ({
  page,
  pack,
}) => {
  await openReady(page, 'wasm', pack);
  const photo = firstPhoto(pack.dir);
  const small = await identify(page, photo);
  const big = await sharp(photo)
    .resize(8660, 5774, { fit: 'fill' })
    .jpeg({ quality: 85 })
    .toBuffer();
  const outcome = await identify(page, { name: 'huge.jpg', mimeType: 'image/jpeg', buffer: big });
  expect(outcome.kind).toBe('prediction');
  if (outcome.kind === 'prediction' && small.kind === 'prediction')
    expect(outcome.label).toBe(small.label);
});

test('a 12-megapixel phone JPEG stored sideways with EXIF orientation 6 is decoded small and upright', async ({
  page,
  pack,
}, testInfo) => {
  await openReady(page, 'wasm', pack);
  const photo = firstPhoto(pack.dir);
  // ~8 MP upright, the same stored rotated a quarter turn back with orientation 6 (as phones do),
  // and the sideways pixels without the tag: only the last one may look different to the model.
  const upright = await sharp(photo).resize(4032, 1936, { fit: 'fill' }).jpeg().toBuffer();
  const stored = await sharp(upright).rotate(270).jpeg().toBuffer();
  const tagged = await sharp(stored).withMetadata({ orientation: 6 }).jpeg().toBuffer();
  const files = { upright, tagged, sideways: stored };
  const probabilities: Record<string, number[]> = {};
  for (const [name, buffer] of Object.entries(files)) {
    const file = testInfo.outputPath(`${name}.jpg`);
    writeFileSync(file, buffer);
    probabilities[name] = await browserProbabilities(page, file);
  }
  // Compared as log-probabilities: the unlikely classes show a rotation best (×50 and more here).
  const gap = (a: number[], b: number[]) =>
    Math.max(...a.map((p, i) => Math.abs(Math.log(p) - Math.log(b[i]!))));
  expect(gap(probabilities.tagged!, probabilities.upright!)).toBeLessThan(0.3);
  // The check can tell: the untagged sideways photo gets clearly different probabilities.
  expect(gap(probabilities.sideways!, probabilities.upright!)).toBeGreaterThan(1);
  expect((await identify(page, testInfo.outputPath('tagged.jpg'))).kind).toBe('prediction');
  // Its History thumbnail (made from a 1/8-scale decode) is upright too: landscape, 160 px wide.
  await page.goto('/history');
  const thumb = page.locator('.history-thumb').first();
  await expect(thumb).toBeVisible();
  // Visible is not loaded: the thumbnail comes from IndexedDB as a blob URL, and its natural size
  // is 0 × 0 until it has decoded. Polled, not awaited with img.decode(): when the list reloads
  // (the log changed, say the entry was sent meanwhile) the image gets a new object URL, the old
  // one is revoked, and a pending decode() rejects with EncodingError.
  let size = [0, 0];
  await expect
    .poll(async () => {
      size = await thumb.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
      return size[0];
    })
    .toBe(160);
  expect(size[1]).toBeGreaterThan(60);
  expect(size[1]).toBeLessThan(100);
});

test('EXIF orientation is applied: a sideways-stored photo with orientation 6 matches the upright one', async ({
  page,
  pack,
}) => {
  await openReady(page, 'wasm', pack);
  const photo = firstPhoto(pack.dir);
  const upright = await sharp(photo).png().toBuffer();
  // Stored rotated 90° counter-clockwise; EXIF 6 tells viewers to rotate it 90° clockwise back.
  const sideways = await sharp(photo).rotate(-90).png().withMetadata({ orientation: 6 }).toBuffer();
  const stored = await sharp(photo).rotate(-90).png().toBuffer();
  const a = await identify(page, { name: 'upright.png', mimeType: 'image/png', buffer: upright });
  const b = await identify(page, { name: 'exif6.png', mimeType: 'image/png', buffer: sideways });
  const c = await identify(page, { name: 'stored.png', mimeType: 'image/png', buffer: stored });
  expect(a.kind === 'prediction' && b.kind === 'prediction' && c.kind === 'prediction').toBe(true);
  if (a.kind !== 'prediction' || b.kind !== 'prediction' || c.kind !== 'prediction') return;
  expect(Math.abs(a.probability - b.probability)).toBeLessThan(1e-3);
  expect(b.label).toBe(a.label);
  // Without the EXIF tag the sideways pixels are a different input, so the probability moves.
  expect(Math.abs(a.probability - c.probability)).toBeGreaterThan(1e-4);
});

test('the photo buttons work from the keyboard and the result is announced', async ({
  page,
  pack,
}) => {
  await openReady(page, 'wasm', pack);
  const choose = page.getByRole('button', { name: 'Choose a photo' });
  await choose.focus();
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.keyboard.press('Enter'),
  ]);
  const photo = firstPhoto(pack.dir);
  await chooser.setFiles(photo);
  await expect(page.getByTestId('prediction').getByRole('status')).toBeVisible();
  await expect(page.getByRole('article', { name: 'Result' })).toBeVisible();
  await expect(page.locator('input[type=file]')).toHaveCount(1);
});

test('errors are shown in Russian when the interface is Russian', async ({ page, pack }) => {
  await openReady(page, 'wasm', pack);
  await page.getByLabel('Language').selectOption('ru');
  const outcome = await identify(page, {
    name: 'notes.jpg',
    mimeType: 'image/jpeg',
    buffer: Buffer.from('hello'),
  });
  expect(outcome.kind === 'error' && outcome.message).toContain('не является изображением');
});

test('below the pack threshold the card says "not sure" and names the closest species only as a hint', async ({
  page,
  pack,
}) => {
  const labels = packLabels(pack.dir);
  const photos = fixturePhotos(labels);
  const reference = await nodeProbabilities(
    pack.dir,
    photos.map((p) => p.file),
  );
  // The variant pack says "not sure" below 1: any photo whose top probability is under 1 qualifies.
  const photo = photos.find(({ file }) => Math.max(...reference[file]!) < 0.999);
  expect(photo, 'a fixture photo the model is not certain about').toBeTruthy();
  await openReady(page, 'wasm', pack, `${pack.name}-unsure`);
  const outcome = await identify(page, photo!.file);
  const expected = reference[photo!.file]!;
  expect(outcome).toMatchObject({
    kind: 'prediction',
    notSure: true,
    label: labels[expected.indexOf(Math.max(...expected))],
  });
  const card = page.getByTestId('prediction');
  await expect(card).toHaveAttribute('data-verdict', 'not-sure');
  await expect(card.getByRole('status')).toContainText('Not sure');
  const closest = englishName(pack.dir, labels[expected.indexOf(Math.max(...expected))]!);
  await expect(card.getByTestId('species-name')).toHaveText(closest);
  await expect(card.getByTestId('species-confidence')).toHaveText(/^\(\d{1,2}%\)$/);
  await expectAccessible(page);
});
