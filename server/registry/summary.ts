/**
 * What the model list tells people about a pack before they download it, read from its
 * metadata.json: the localised title and description, and its species by name. A pack without
 * them (a bare export) is listed without them.
 */
import { z } from 'zod';
import type { ModelSummary } from '../../shared/models-api.js';
import { labelSchema, packDisplaySchema } from '../../shared/pack.js';

const listedSpeciesSchema = z.array(
  z.object({ latin: labelSchema.shape.latin, names: labelSchema.shape.names }),
);

/** The summary fields taken from a pack's metadata (`display`, `labels`). */
export function summaryFromMetadata(metadata: {
  display?: unknown;
  labels?: unknown;
}): Pick<ModelSummary, 'display' | 'species'> {
  const display = packDisplaySchema.safeParse(metadata.display);
  const species = listedSpeciesSchema.safeParse(metadata.labels);
  return {
    ...(display.success ? { display: display.data } : {}),
    ...(species.success ? { species: species.data } : {}),
  };
}
