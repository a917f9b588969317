/**
 * Writes the validation fish of a training split as folders of links, for `npm run eval`:
 *   npm run split -- --data <dir> --out <dir> [--seed 1] [--val-fraction 0.2]
 * The split is the one `npm run train` makes with the same seed and fraction (by fish).
 */
import { mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, isMain, parseArgs, runCli } from './cli';
import { listImageSet, splitByFish } from './dataset';

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2), {
    data: 'string',
    out: 'string',
    seed: 'number',
    'val-fraction': 'number',
  });
  if (a.data === undefined || a.out === undefined)
    throw new UsageError('usage: npm run split -- --data <dir> --out <dir> [--seed 1]');
  const out = String(a.out);
  const set = await listImageSet(String(a.data));
  const { validation } = splitByFish(set, Number(a['val-fraction'] ?? 0.2), Number(a.seed ?? 1));
  await rm(out, { recursive: true, force: true });
  for (const image of validation) {
    await mkdir(path.join(out, image.label), { recursive: true });
    await symlink(path.resolve(image.file), path.join(out, image.label, path.basename(image.file)));
  }
  console.log(`${validation.length} validation images of ${set.images.length} linked in ${out}`);
}

if (isMain(import.meta.url)) runCli(main);
