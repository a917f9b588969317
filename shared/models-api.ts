/**
 * The JSON of the model registry API (GET /api/v1/models…), shared by the server that writes it
 * and the app that reads it. Parse responses with these schemas instead of trusting the shape.
 */
import { z } from 'zod';
import {
  labelSchema,
  manifestEntrySchema,
  metadataSchema,
  NAME_PATTERN,
  packDisplaySchema,
  packVersionSchema,
  sureMetricsSchema,
} from './pack.js';

/** Base path of the model API. */
export const MODELS_API = '/api/v1/models';

export const modelSummarySchema = z.object({
  name: z.string().regex(NAME_PATTERN),
  version: packVersionSchema,
  /** The alias this entry was listed under (`production`). */
  alias: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  /** Sum of the sizes of all files the app downloads for this version. */
  sizeBytes: z.number().int().nonnegative(),
  labelCount: z.number().int().nonnegative(),
  description: z.string(),
  /** The pack's localised title and description (metadata `display`), when it has them. */
  display: packDisplaySchema.optional(),
  /** Every species of the pack by name, in label order, so people see what it covers before downloading. */
  species: z.array(labelSchema.pick({ latin: true, names: true })).optional(),
  /**
   * How often the pack names a species on validation fish, and how often it is right then
   * (metadata `metrics.validation.sure`), when it was measured: how good a pack is, before it is downloaded.
   */
  sure: sureMetricsSchema.optional(),
  /**
   * Set when this version cannot run in the app (not a TF.js image classifier, no labels…): why,
   * in words for the model's publisher. Such a version is listed, never installed.
   */
  unusable: z.string().optional(),
});
/** A registered model and the version behind one alias, as GET /api/v1/models lists it. */
export type ModelSummary = z.infer<typeof modelSummarySchema>;

/** GET /api/v1/models */
export const modelListSchema = z.object({ models: z.array(modelSummarySchema) });

export const modelFileSchema = manifestEntrySchema.extend({
  /** Server-relative URL that streams the file (immutable; cache forever). */
  url: z.string().startsWith('/'),
});
export type ModelFile = z.infer<typeof modelFileSchema>;

/** GET /api/v1/models/{name}[?alias=] and GET /api/v1/models/{name}/versions/{version} */
export const modelVersionSchema = z.object({
  name: z.string().regex(NAME_PATTERN),
  version: packVersionSchema,
  aliases: z.array(z.string()),
  createdAt: z.iso.datetime({ offset: true }),
  metadata: metadataSchema,
  files: z.array(modelFileSchema),
});
export type ModelVersionInfo = z.infer<typeof modelVersionSchema>;

/** The URL of one file of a version, as the server lists it in `files[].url`. */
export function modelFileUrl(name: string, version: number, path: string): string {
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return `${MODELS_API}/${encodeURIComponent(name)}/versions/${version}/files/${encoded}`;
}
