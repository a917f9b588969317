import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PackError, verifyPack } from './pack.js';
import {
  flipOneByte,
  syntheticModelJson,
  tempPackRoot,
  writeSyntheticPack,
} from './testing/synthetic-pack.js';

const root = tempPackRoot();

describe('verifyPack', () => {
  it('accepts a pack whose files match its manifest and identifies it by the manifest digest', async () => {
    const dir = writeSyntheticPack(join(root, 'ok'), { name: 'river-fish', nested: true });
    const pack = await verifyPack(dir);
    expect(pack.metadata.name).toBe('river-fish');
    expect(pack.manifest.files.map((f) => f.path).sort()).toEqual([
      'extra/notes.txt',
      'group1-shard1of1.bin',
      'metadata.json',
      'model.json',
    ]);
    expect(pack.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(pack.sizeBytes).toBe(pack.manifest.files.reduce((sum, f) => sum + f.size, 0));
  });

  it('refuses a tampered shard (same size, one byte changed) and names the file', async () => {
    const dir = writeSyntheticPack(join(root, 'tampered'), { name: 'river-fish' });
    flipOneByte(join(dir, 'group1-shard1of1.bin'));
    await expect(verifyPack(dir)).rejects.toThrow(PackError);
    await expect(verifyPack(dir)).rejects.toThrow(
      /group1-shard1of1\.bin does not match manifest\.json: sha256/,
    );
  });

  it('refuses a file whose size differs from the manifest', async () => {
    const dir = writeSyntheticPack(join(root, 'resized'), { name: 'river-fish' });
    writeFileSync(join(dir, 'model.json'), '{}');
    await expect(verifyPack(dir)).rejects.toThrow(
      /model\.json does not match manifest\.json: size/,
    );
  });

  it('refuses a pack with a listed file missing', async () => {
    const dir = writeSyntheticPack(join(root, 'missing'), { name: 'river-fish' });
    rmSync(join(dir, 'group1-shard1of1.bin'));
    await expect(verifyPack(dir)).rejects.toThrow(
      /group1-shard1of1\.bin is listed in manifest\.json but missing/,
    );
  });

  it('refuses metadata that does not follow the pack format', async () => {
    const dir = writeSyntheticPack(join(root, 'badmeta'), {
      name: 'river-fish',
      labels: ['only-one'],
    });
    await expect(verifyPack(dir)).rejects.toThrow(/metadata\.json does not follow the pack format/);
  });

  it('refuses a model that gives more scores than there are labels, before anything is uploaded', async () => {
    const dir = writeSyntheticPack(join(root, 'outputs'), {
      name: 'river-fish',
      modelJson: syntheticModelJson(4),
    });
    await expect(verifyPack(dir)).rejects.toThrow(
      /cannot run in Fishlens: The model gives 4 scores per photo but there are 3 labels/,
    );
  });

  it('refuses a model.json that needs a weight file the manifest does not list', async () => {
    const dir = writeSyntheticPack(join(root, 'unlisted'), {
      name: 'river-fish',
      modelJson: syntheticModelJson(3, 'group1-shard2of2.bin'),
    });
    await expect(verifyPack(dir)).rejects.toThrow(
      /model\.json needs the weight file group1-shard2of2\.bin, which manifest\.json does not list/,
    );
  });

  it('refuses a folder that is not a pack', async () => {
    await expect(verifyPack(join(root, 'nothing-here'))).rejects.toThrow(/does not exist/);
  });
});
