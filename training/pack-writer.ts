/** Writes a model pack folder: model.json + shards, metadata.json, licence/credit files, manifest.json. */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import {
  MANIFEST_FILE,
  METADATA_FILE,
  PACK_FORMAT,
  dataSourceSchema,
  manifestSchema,
  metadataSchema,
  packDisplaySchema,
  type Label,
  type PackManifest,
  type PackMetadata,
} from '../shared/pack';
import { UsageError } from './cli';
import type { LabelledImage } from './dataset';
import { applyLayers, headLayers, type HeadOptions } from './head';
import { saveLayersModel, type WeightDtype } from './model-files';
import { EMBEDDING_LAYER, type Whitening } from './unknown';
import { writeReferencePhotos, type ReferenceSource } from './references';

/** What a person writes about a pack: species names, data sources and licence files to ship with it. */
export const packCardSchema = z.object({
  description: z.string().default(''),
  /** The pack's title and description for people, by locale (metadata `display`). */
  display: packDisplaySchema.optional(),
  labels: z
    .record(
      z.string(),
      z.object({ latin: z.string().min(1), names: z.record(z.string(), z.string()).default({}) }),
    )
    .default({}),
  data: z.array(dataSourceSchema).default([]),
  /** Files copied into the pack (licences, credits): a path relative to the card file, or {from, as}. */
  attach: z
    .array(z.union([z.string(), z.object({ from: z.string(), as: z.string() })]))
    .default([]),
  /** Fixed "not sure" threshold; without it, training chooses one on the validation fish. */
  notSureBelow: z.number().min(0).max(1).optional(),
  /** Reference photos picked from the training data: their credit and licence, and how many per species. */
  references: z
    .object({
      credit: z.string().min(1).max(500),
      licence: z.string().min(1).max(200),
      perLabel: z.number().int().min(1).max(5).default(3),
    })
    .optional(),
});
export type PackCard = z.infer<typeof packCardSchema>;

/** Reads and validates a pack card JSON file; relative attachments resolve against its folder. */
export async function readPackCard(
  file: string | undefined,
): Promise<{ card: PackCard; baseDir: string }> {
  if (!file) return { card: packCardSchema.parse({}), baseDir: process.cwd() };
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `cannot read pack card ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = packCardSchema.safeParse(raw);
  if (!parsed.success)
    throw new UsageError(
      `pack card ${file} is invalid: ${parsed.error.issues[0]?.message ?? 'unknown problem'}`,
    );
  return { card: parsed.data, baseDir: path.dirname(file) };
}

/** A file to copy into the pack under the name `as`. */
export interface Attachment {
  from: string;
  as: string;
}

/** The card's attachments with absolute source paths. */
export function cardAttachments(card: PackCard, baseDir: string): Attachment[] {
  return card.attach.map((a) =>
    typeof a === 'string'
      ? { from: path.resolve(baseDir, a), as: path.basename(a) }
      : { from: path.resolve(baseDir, a.from), as: a.as },
  );
}

/** Labels in output order; names from the card, the id as the Latin name when the card has none. */
export function packLabels(ids: readonly string[], card: PackCard): Label[] {
  return ids.map((id) => {
    const entry = card.labels[id];
    return { id, latin: entry?.latin ?? id, names: entry?.names ?? {} };
  });
}

/**
 * The full pack network: image in, class probabilities out — backbone, the whitening of its
 * pooled features (a linear layer, `EMBEDDING_LAYER`), and the trained head's weights.
 */
export function buildPackModel(
  backbone: tf.LayersModel,
  whitening: Whitening,
  head: tf.LayersModel,
  classes: number,
  options: HeadOptions,
): tf.LayersModel {
  const embedding = tf.layers.dense({ units: whitening.dims, name: EMBEDDING_LAYER });
  const layers = headLayers(classes, options);
  const output = applyLayers(backbone.outputs[0]!, [embedding, ...layers]);
  const model = tf.model({ inputs: backbone.inputs, outputs: output, name: 'fishlens_classifier' });
  const features = whitening.projection.length / whitening.dims;
  tf.tidy(() =>
    embedding.setWeights([
      tf.tensor2d(whitening.projection, [features, whitening.dims]),
      tf.tensor1d(whitening.bias),
    ]),
  );
  for (const layer of layers) {
    if (layer.weights.length > 0) layer.setWeights(head.getLayer(layer.name).getWeights());
  }
  return model;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(path.join(dir, prefix), { withFileTypes: true })).sort(
    (a, b) => a.name.localeCompare(b.name),
  )) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (rel !== MANIFEST_FILE) out.push(rel);
  }
  return out;
}

/** Writes manifest.json: size and sha256 of every other file in the pack. */
export async function writeManifest(dir: string): Promise<PackManifest> {
  const files = [];
  for (const rel of await listFiles(dir)) {
    const bytes = await readFile(path.join(dir, rel));
    files.push({
      path: rel,
      size: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  const manifest = manifestSchema.parse({ format: PACK_FORMAT, files });
  await writeFile(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Writes a complete pack into an emptied `dir`; returns the manifest. */
export async function writePack(
  dir: string,
  pack: {
    model: tf.LayersModel;
    metadata: Omit<PackMetadata, 'format'>;
    dtype: WeightDtype;
    attachments: Attachment[];
    /** Reference photos to pick from these (training) images, credited as `source` says. */
    references?: { images: readonly LabelledImage[]; source: ReferenceSource } | undefined;
  },
): Promise<PackManifest> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await saveLayersModel(pack.model, dir, { dtype: pack.dtype });
  const { references } = pack;
  const metadata = metadataSchema.parse({
    ...pack.metadata,
    labels: references
      ? await writeReferencePhotos(dir, pack.metadata.labels, references.images, references.source)
      : pack.metadata.labels,
    format: PACK_FORMAT,
    quantization: pack.dtype,
  });
  await writeFile(path.join(dir, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
  await copyAttachments(dir, pack.attachments);
  return writeManifest(dir);
}

/** Copies the card's licence and credit files into the pack folder `dir`. */
export async function copyAttachments(dir: string, attachments: Attachment[]): Promise<void> {
  for (const file of attachments) {
    if (!(await stat(file.from).catch(() => undefined))?.isFile())
      throw new UsageError(`attachment ${file.from} does not exist`);
    await copyFile(file.from, path.join(dir, file.as));
  }
}
