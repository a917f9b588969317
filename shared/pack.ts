/**
 * The model pack format, shared by training (Node), the registry (server) and the app (browser).
 * A pack is a folder: model.json + weight shards (TF.js), metadata.json, and manifest.json
 * (size and sha256 of every other file). See ARCHITECTURE.md, "Model pack".
 */
import { z } from 'zod';

export const PACK_FORMAT = 'fishlens-pack/1';
export const METADATA_FILE = 'metadata.json';
export const MANIFEST_FILE = 'manifest.json';
export const MODEL_FILE = 'model.json';

/** Registered model names and label ids: lowercase, digits, `-` and `_`, 1–64 characters. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** The largest version number: the registry keeps versions in PostgreSQL `integer` columns. */
export const MAX_PACK_VERSION = 2_147_483_647;
/** A pack's version: a whole number, 1, 2, 3… per model, never reused (the registry's numbering). */
export const packVersionSchema = z.number().int().min(1).max(MAX_PACK_VERSION);

/** A relative file path inside a pack: no `..`, no leading `/`, no backslashes. */
export const PACK_PATH_PATTERN =
  /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

/**
 * One version of a model pack, the same everywhere (API, IndexedDB, outbox, PostgreSQL): the
 * registered name and a positive whole version number (1, 2, 3… per name, never reused).
 */
export interface PackRef {
  name: string;
  version: number;
}

const localeText = (max: number) =>
  z.record(z.string().regex(/^[a-z]{2}$/), z.string().min(1).max(max));

/** A small reference photo of a species, a file inside the pack (listed in manifest.json). */
export const referencePhotoSchema = z.strictObject({
  path: z.string().regex(PACK_PATH_PATTERN).max(200),
  /** Who made the photo and where it comes from. */
  credit: z.string().min(1).max(500),
  licence: z.string().min(1).max(200),
});
export type ReferencePhoto = z.infer<typeof referencePhotoSchema>;

export const labelSchema = z.strictObject({
  /** Stable id; the training folder name (`bream`, `fish_01`). */
  id: z.string().regex(NAME_PATTERN),
  /** Scientific name, always present (`Abramis brama`). */
  latin: z.string().min(1).max(200),
  /** Common names by locale (`en`, `ru`); any may be missing. */
  names: localeText(200),
  /** A few photos of the species from the training data, to compare with the user's photo. */
  references: z.array(referencePhotoSchema).max(5).optional(),
});
export type Label = z.infer<typeof labelSchema>;

export const preprocessingSchema = z.strictObject({
  /** Channel order fed to the network. */
  colorSpace: z.literal('RGB'),
  /** How a photo becomes the input square: crop the centre, or stretch the whole photo. */
  resize: z.enum(['center-crop', 'stretch']),
  interpolation: z.literal('bilinear'),
  /** value = pixel / scale + offset; MobileNetV2: /127.5 − 1 → [-1, 1]. */
  scale: z.number().positive(),
  offset: z.number(),
  /**
   * Per-channel normalisation after scale and offset, R, G, B: value = (value − mean) / std
   * (ImageNet models trained in PyTorch style). Absent: none.
   */
  mean: z.tuple([z.number(), z.number(), z.number()]).optional(),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).optional(),
  /** Apply the EXIF orientation before anything else. */
  exifOrientation: z.boolean(),
  /**
   * After resampling, near-black regions touching the input's border (the corners left by rotating
   * a crop to the fish's axis, black bars) become the mean colour of the rest. Absent: off.
   */
  fillDarkBorders: z.boolean().optional(),
  /**
   * Last, the brightness range from its 1st to its 99th percentile is stretched over the full
   * range (gain at most 3, the same for R, G, B). Absent: off.
   */
  stretchContrast: z.boolean().optional(),
});
export type Preprocessing = z.infer<typeof preprocessingSchema>;

export const MOBILENET_V2_PREPROCESSING: Preprocessing = {
  colorSpace: 'RGB',
  resize: 'center-crop',
  interpolation: 'bilinear',
  scale: 127.5,
  offset: -1,
  exifOrientation: true,
};

/**
 * How a photo's pixels become the numbers a model was trained on, by name, for models that do not
 * say (bare TF.js exports): `mobilenet` [-1, 1] (Keras MobileNet/EfficientNet-Lite, Teachable
 * Machine), `unit` [0, 1], `imagenet` [0, 1] then ImageNet mean/std per channel (torchvision
 * style), `raw` [0, 255] (models with their own Rescaling layer, Keras EfficientNet).
 */
export const PREPROCESSING_PRESETS = {
  mobilenet: MOBILENET_V2_PREPROCESSING,
  unit: { ...MOBILENET_V2_PREPROCESSING, scale: 255, offset: 0 },
  imagenet: {
    ...MOBILENET_V2_PREPROCESSING,
    scale: 255,
    offset: 0,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
  },
  raw: { ...MOBILENET_V2_PREPROCESSING, scale: 1, offset: 0 },
} as const satisfies Record<string, Preprocessing>;

const classMetricsSchema = z.object({
  n: z.number().int().nonnegative(),
  top1: z.number().min(0).max(1),
});

/** How often a pack says "sure", and how often it is right then (from shared/decision.ts). */
export const sureMetricsSchema = z.object({
  /** The pack's `notSureBelow` the numbers were measured with. */
  threshold: z.number().min(0).max(1),
  /** Share of photos answered "sure". */
  coverage: z.number().min(0).max(1),
  /** Share of "sure" answers that name the right species. */
  accuracy: z.number().min(0).max(1),
});
export type SureMetrics = z.infer<typeof sureMetricsSchema>;

export const evaluationSchema = z.object({
  n: z.number().int().nonnegative(),
  top1: z.number().min(0).max(1),
  top3: z.number().min(0).max(1),
  perClass: z.record(z.string(), classMetricsSchema),
  /** confusion[i][j]: images of label i predicted as label j, labels in output order. */
  confusion: z.array(z.array(z.number().int().nonnegative())),
  sure: sureMetricsSchema.optional(),
  /** Expected calibration error of the shown (calibrated) top probability, 10 equal-width bins. */
  ece: z.number().min(0).max(1).optional(),
  /**
   * The ECE a perfectly calibrated model with the same confidences would measure on these photos
   * (sampling noise: ~0.08 on 150 photos). `ece` is read against it.
   */
  eceIfCalibrated: z.number().min(0).max(1).optional(),
  /** Photos of no species of the pack (other fish, no fish) and how many were answered "sure". */
  unknown: z
    .object({ n: z.number().int().nonnegative(), answeredSure: z.number().min(0).max(1) })
    .optional(),
});
export type Evaluation = z.infer<typeof evaluationSchema>;

export const dataSourceSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  source: z.string(),
  licence: z.string(),
  credit: z.string(),
  images: z.number().int().nonnegative().optional(),
});

/** Temperature scaling fitted on validation fish: shown probabilities = softmax(log p / temperature). */
export const calibrationSchema = z.object({
  temperature: z.number().positive().max(100),
});
export type Calibration = z.infer<typeof calibrationSchema>;

/**
 * "Not one of my species": the model layer `layer` (computed in the same forward pass) maps a
 * photo into a space where each species has a centre. The score is the mean squared distance to
 * the nearest centre, each coordinate times `scale`; with `relative-nearest-centre` minus the mean
 * squared distance to the origin (the centre of all training photos), each coordinate times
 * `background` (the relative Mahalanobis distance, https://arxiv.org/abs/2106.09022: how far the
 * photo is from the species beyond how far it is from all the training photos).
 * A photo whose score is above `threshold` is answered "unknown".
 */
export const unknownDetectionSchema = z
  .object({
    method: z.enum(['nearest-centre', 'relative-nearest-centre']),
    layer: z.string().min(1).max(100),
    centres: z.array(z.array(z.number()).min(1)).min(1),
    /** Per coordinate; 1 when absent. */
    scale: z.array(z.number().positive()).optional(),
    /** Per coordinate: 1 / spread of all training photos (`relative-nearest-centre` only). */
    background: z.array(z.number().positive()).optional(),
    /** Relative scores can be negative; plain distances cannot. */
    threshold: z.number(),
  })
  .superRefine((u, ctx) => {
    const relative = u.method === 'relative-nearest-centre';
    if (relative !== (u.background !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['background'],
        message: relative
          ? 'relative-nearest-centre needs background'
          : 'background belongs to relative-nearest-centre',
      });
    if (!relative && !(u.threshold > 0))
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'must be positive' });
  });
export type UnknownDetection = z.infer<typeof unknownDetectionSchema>;

/**
 * A pack's title and description for people, by locale (`en`, `ru`): what the pack choice and the
 * Models screen show. Without it (bare exports) the app falls back to `description` and the name.
 */
export const packDisplaySchema = z.object({
  title: localeText(100),
  description: localeText(2000),
});
export type PackDisplay = z.infer<typeof packDisplaySchema>;

export const metadataSchema = z.object({
  format: z.literal(PACK_FORMAT),
  name: z.string().regex(NAME_PATTERN),
  description: z.string().max(2000).default(''),
  display: packDisplaySchema.optional(),
  createdAt: z.iso.datetime({ offset: true }),
  tool: z.object({ name: z.string(), version: z.string() }),
  architecture: z.string(),
  modelFormat: z.enum(['tfjs-layers', 'tfjs-graph']),
  input: z.object({
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    channels: z.literal(3),
  }),
  preprocessing: preprocessingSchema,
  labels: z.array(labelSchema).min(2),
  /** Below this top-1 probability (calibrated when `calibration` is there) the app says "not sure". */
  notSureBelow: z.number().min(0).max(1).default(0.5),
  calibration: calibrationSchema.optional(),
  unknown: unknownDetectionSchema.optional(),
  quantization: z.enum(['float32', 'float16', 'uint8']).default('float32'),
  metrics: z.object({ validation: evaluationSchema.optional() }).catchall(z.unknown()).default({}),
  training: z
    .object({ data: z.array(dataSourceSchema) })
    .catchall(z.unknown())
    .optional(),
});
export type PackMetadata = z.infer<typeof metadataSchema>;

export const manifestEntrySchema = z.strictObject({
  path: z.string().regex(PACK_PATH_PATTERN).max(200),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

export const manifestSchema = z.object({
  format: z.literal(PACK_FORMAT),
  /** Every file of the pack except manifest.json itself. */
  files: z.array(manifestEntrySchema).min(1),
});
export type PackManifest = z.infer<typeof manifestSchema>;

/** Checks that a label id list from metadata has no duplicates; returns the duplicated ids. */
export function duplicateLabelIds(labels: readonly Label[]): string[] {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const { id } of labels) (seen.has(id) ? dupes : seen).add(id);
  return [...dupes];
}
