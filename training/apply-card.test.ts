import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  MOBILENET_V2_PREPROCESSING,
  PACK_FORMAT,
  manifestSchema,
  metadataSchema,
} from '../shared/pack';
import { applyCard } from './apply-card-cli';
import { fishKeyOf } from './dataset';
import { writeManifest } from './pack-writer';
import { pickReferenceImages } from './references';

const FIXTURES = fileURLToPath(new URL('../tests/fixtures/fish', import.meta.url));
const LABELS = ['bream', 'burbot', 'perch'];

/** A pack folder with stand-in model files, metadata with a field this tool does not know, and a manifest. */
async function writePack(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fishlens-card-'));
  writeFileSync(path.join(dir, 'model.json'), '{"modelTopology":{},"weightsManifest":[]}');
  writeFileSync(path.join(dir, 'group1-shard1of1.bin'), Buffer.alloc(1000, 7));
  const metadata = {
    format: PACK_FORMAT,
    name: 'tiny-fish',
    description: 'Three river fish.',
    createdAt: '2026-01-01T00:00:00Z',
    tool: { name: 'test', version: '1' },
    architecture: 'none',
    modelFormat: 'tfjs-layers',
    input: { width: 224, height: 224, channels: 3 },
    preprocessing: MOBILENET_V2_PREPROCESSING,
    labels: LABELS.map((id) => ({ id, latin: id, names: {} })),
    futureField: { kept: true },
  };
  writeFileSync(path.join(dir, 'metadata.json'), JSON.stringify(metadata, null, 2));
  await writeManifest(dir);
  return dir;
}

function writeCard(dir: string): string {
  const file = path.join(dir, 'card.json');
  writeFileSync(
    file,
    JSON.stringify({
      description: 'Three river fish of Central Europe.',
      display: {
        title: { en: 'River fish', ru: 'Речные рыбы' },
        description: { en: 'Three species.', ru: 'Три вида.' },
      },
      labels: {
        bream: { latin: 'Abramis brama', names: { en: 'common bream', ru: 'лещ' } },
        burbot: { latin: 'Lota lota', names: { en: 'burbot', ru: 'налим' } },
        perch: { latin: 'Perca fluviatilis', names: { en: 'European perch', ru: 'окунь' } },
      },
      references: { credit: 'Frederik Kratzert, BOKU Vienna', licence: 'MIT', perLabel: 2 },
    }),
  );
  return file;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('pickReferenceImages', () => {
  it('takes the largest crop of each fish, the largest fish first, never two frames of one fish', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fishlens-refs-'));
    const image = async (name: string, width: number, height: number) => {
      const file = path.join(dir, name);
      await sharp({ create: { width, height, channels: 3, background: '#369' } })
        .png()
        .toFile(file);
      return { file, label: 'bream', fishKey: name.split('-')[0]! };
    };
    const images = [
      await image('a-1.png', 280, 180),
      await image('a-2.png', 300, 200),
      await image('b-1.png', 200, 100),
      await image('c-1.png', 100, 50),
      { ...(await image('d-1.png', 400, 300)), label: 'perch' },
    ];
    const picked = await pickReferenceImages(images, 'bream', 2);
    expect(picked.map((i) => path.basename(i.file))).toEqual(['a-2.png', 'b-1.png']);
    expect(await pickReferenceImages(images, 'bream', 5)).toHaveLength(3);
  });
});

describe('apply-card', () => {
  it('adds localised words and credited reference photos (each of another fish) to a written pack, leaving its model files as they were', async () => {
    const pack = await writePack();
    const card = writeCard(mkdtempSync(path.join(tmpdir(), 'fishlens-card-file-')));
    const modelBefore = [
      sha256(path.join(pack, 'model.json')),
      sha256(path.join(pack, 'group1-shard1of1.bin')),
    ];

    const manifest = await applyCard(pack, card, FIXTURES);

    expect([
      sha256(path.join(pack, 'model.json')),
      sha256(path.join(pack, 'group1-shard1of1.bin')),
    ]).toEqual(modelBefore);
    const raw = JSON.parse(readFileSync(path.join(pack, 'metadata.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(raw.futureField).toEqual({ kept: true });
    const metadata = metadataSchema.parse(raw);
    expect(metadata.display?.title.ru).toBe('Речные рыбы');
    expect(metadata.description).toBe('Three river fish of Central Europe.');
    for (const label of metadata.labels) {
      expect(label.names.en).toBeTruthy();
      const references = label.references ?? [];
      expect(references).toHaveLength(2);
      const fish = references.map((r) => fishKeyOf(path.basename(r.path)));
      expect(new Set(fish).size).toBe(2);
      for (const reference of references) {
        expect(reference).toMatchObject({
          credit: 'Frederik Kratzert, BOKU Vienna',
          licence: 'MIT',
        });
        expect(reference.path).toMatch(new RegExp(`^references/${label.id}/.+\\.jpg$`));
        const file = path.join(pack, reference.path);
        const { format, width = 0, height = 0 } = await sharp(file).metadata();
        expect(format).toBe('jpeg');
        expect(Math.max(width, height)).toBeLessThanOrEqual(320);
        const entry = manifest.files.find((f) => f.path === reference.path);
        expect(entry?.sha256).toBe(sha256(file));
      }
    }
    // The manifest on disk lists every file, the new metadata.json included.
    const onDisk = manifestSchema.parse(
      JSON.parse(readFileSync(path.join(pack, 'manifest.json'), 'utf8')),
    );
    expect(onDisk.files.find((f) => f.path === 'metadata.json')?.sha256).toBe(
      sha256(path.join(pack, 'metadata.json')),
    );
    expect(onDisk.files.filter((f) => f.path.startsWith('references/'))).toHaveLength(6);
  });

  it('gives the same pack when run again (same photos, same bytes)', async () => {
    const pack = await writePack();
    const card = writeCard(mkdtempSync(path.join(tmpdir(), 'fishlens-card-file-')));
    const first = await applyCard(pack, card, FIXTURES);
    const second = await applyCard(pack, card, FIXTURES);
    expect(second).toEqual(first);
  });

  it('refuses a card that misses a species of the pack, and a card asking for photos without --data', async () => {
    const pack = await writePack();
    const dir = mkdtempSync(path.join(tmpdir(), 'fishlens-card-file-'));
    const card = writeCard(dir);
    await expect(applyCard(pack, card, undefined)).rejects.toThrow(/--data/);
    const partial = JSON.parse(readFileSync(card, 'utf8')) as { labels: Record<string, unknown> };
    delete partial.labels.perch;
    writeFileSync(card, JSON.stringify(partial));
    await expect(applyCard(pack, card, FIXTURES)).rejects.toThrow(/no entry for perch/);
  });
});
