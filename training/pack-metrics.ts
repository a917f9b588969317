/** Adds measured metrics to a written pack's metadata.json and refreshes its manifest. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { METADATA_FILE, metadataSchema, type Evaluation } from '../shared/pack';
import { writeManifest } from './pack-writer';

/** Stores validation metrics (and any extra named evaluations) in metadata.json, then rewrites manifest.json. */
export async function finishPackMetadata(
  dir: string,
  metrics: { validation: Evaluation } & Record<string, Evaluation>,
): Promise<void> {
  const file = path.join(dir, METADATA_FILE);
  const metadata = metadataSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  metadata.metrics = { ...metadata.metrics, ...metrics };
  await writeFile(file, `${JSON.stringify(metadataSchema.parse(metadata), null, 2)}\n`);
  await writeManifest(dir);
}
