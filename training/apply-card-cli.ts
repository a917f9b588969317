/**
 * Applies a pack card's words and pictures to a pack that is already written, without touching
 * its model: the localised title and description, the species names, reference photos picked from
 * the training data, and the card's licence/credit files; then rewrites manifest.json.
 * model.json and the weight shards stay byte-identical, and every other metadata field is kept.
 *   npm run apply-card -- --pack <pack dir> --card <card.json> [--data <photos, one folder per species>]
 * (`--data` is needed when the card asks for reference photos.)
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { METADATA_FILE, metadataSchema, type PackManifest } from '../shared/pack';
import { UsageError, isMain, parseArgs, runCli } from './cli';
import { listImageSet } from './dataset';
import {
  cardAttachments,
  copyAttachments,
  packLabels,
  readPackCard,
  writeManifest,
} from './pack-writer';
import { writeReferencePhotos } from './references';

/** Updates the pack in `packDir` from the card file `cardFile`; returns the new manifest. */
export async function applyCard(
  packDir: string,
  cardFile: string,
  dataDir: string | undefined,
): Promise<PackManifest> {
  const { card, baseDir } = await readPackCard(cardFile);
  const metadataFile = path.join(packDir, METADATA_FILE);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(metadataFile, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`cannot read ${metadataFile}: ${(error as Error).message}`);
  }
  const parsed = metadataSchema.safeParse(raw);
  if (!parsed.success)
    throw new UsageError(
      `${metadataFile} is not pack metadata: ${parsed.error.issues[0]?.message}`,
    );
  const ids = parsed.data.labels.map((label) => label.id);
  const missing = ids.filter((id) => !card.labels[id]);
  if (missing.length > 0) throw new UsageError(`the card has no entry for ${missing.join(', ')}`);

  // Photos of an earlier run must not linger: the manifest lists every file in the folder.
  await rm(path.join(packDir, 'references'), { recursive: true, force: true });
  let labels = packLabels(ids, card);
  if (card.references) {
    if (!dataDir) throw new UsageError('the card asks for reference photos: give --data <dir>');
    const { images } = await listImageSet(dataDir);
    labels = await writeReferencePhotos(packDir, labels, images, card.references);
  }
  // The JSON as read, with only the card's fields replaced: fields this tool does not know stay.
  const metadata = {
    ...raw,
    description: card.description || parsed.data.description,
    ...(card.display ? { display: card.display } : {}),
    labels,
  };
  const checked = metadataSchema.safeParse(metadata);
  if (!checked.success)
    throw new UsageError(`the card makes invalid metadata: ${checked.error.issues[0]?.message}`);
  await writeFile(metadataFile, `${JSON.stringify(metadata, null, 2)}\n`);
  await copyAttachments(packDir, cardAttachments(card, baseDir));
  return writeManifest(packDir);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { pack: 'string', card: 'string', data: 'string' });
  if (typeof args.pack !== 'string' || typeof args.card !== 'string')
    throw new UsageError('usage: apply-card --pack <pack dir> --card <card.json> [--data <dir>]');
  const manifest = await applyCard(
    args.pack,
    args.card,
    typeof args.data === 'string' ? args.data : undefined,
  );
  const photos = manifest.files.filter((f) => f.path.startsWith('references/'));
  const bytes = photos.reduce((sum, f) => sum + f.size, 0);
  console.log(
    `${args.pack}: ${photos.length} reference photos (${(bytes / 1000).toFixed(0)} kB), ${manifest.files.length} files in the manifest`,
  );
}

if (isMain(import.meta.url)) runCli(main);
