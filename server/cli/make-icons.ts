import { readFile, writeFile } from 'node:fs/promises';
import sharp from 'sharp';

/**
 * Renders the app icons in public/icons from icon.svg. Run once after changing the SVG:
 * `npx tsx server/cli/make-icons.ts`. Maskable icons keep the fish inside the 80 % safe zone.
 */
const dir = new URL('../../public/icons/', import.meta.url);
const svg = await readFile(new URL('icon.svg', dir));

for (const size of [192, 512]) {
  await writeFile(
    new URL(`icon-${size}.png`, dir),
    await sharp(svg).resize(size, size).png().toBuffer(),
  );
  const inner = Math.round(size * 0.7);
  const pad = Math.round((size - inner) / 2);
  const maskable = await sharp({
    create: { width: size, height: size, channels: 4, background: '#0b5f6e' },
  })
    .composite([
      { input: await sharp(svg).resize(inner, inner).png().toBuffer(), top: pad, left: pad },
    ])
    .png()
    .toBuffer();
  await writeFile(new URL(`icon-maskable-${size}.png`, dir), maskable);
}
await writeFile(
  new URL('apple-touch-icon.png', dir),
  await sharp(svg).resize(180, 180).flatten({ background: '#0b5f6e' }).png().toBuffer(),
);
console.log('icons written to public/icons');
