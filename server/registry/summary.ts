/**
 * What the model list tells people about a pack before they download it, read from its
 * metadata.json: the localised title and description, its species by name, and how often it is
 * right on validation fish. A pack without them (a bare export) is listed without them.
 */
import { z } from 'zod';
import type { ModelSummary } from '../../shared/models-api.js';
import { labelSchema, packDisplaySchema, sureMetricsSchema } from '../../shared/pack.js';

const listedSpeciesSchema = z.array(
  z.object({ latin: labelSchema.shape.latin, names: labelSchema.shape.names }),
);

const listedSureSchema = z.object({
  validation: z.object({ sure: sureMetricsSchema }),
});

/**
 * The summary fields taken from a pack's metadata (`display`, `labels`, `metrics.validation.sure`).
 * Each one that is missing or does not parse is left out rather than failing the list: a version
 * stored under an older pack format must still be listed.
 */
export function summaryFromMetadata(metadata: {
  display?: unknown;
  labels?: unknown;
  metrics?: unknown;
}): Pick<ModelSummary, 'display' | 'species' | 'sure'> {
  const display = packDisplaySchema.safeParse(metadata.display);
  const species = listedSpeciesSchema.safeParse(metadata.labels);
  const metrics = listedSureSchema.safeParse(metadata.metrics);
  return {
    ...(display.success ? { display: display.data } : {}),
    ...(species.success ? { species: species.data } : {}),
    ...(metrics.success ? { sure: metrics.data.validation.sure } : {}),
  };
}
