/**
 * Small, valid model packs for tests: a model.json, one or two random weight shards, a
 * metadata.json that passes the pack schema, and a manifest.json that hashes them. They are not
 * real networks; the registry only moves bytes and checks them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MOBILENET_V2_PREPROCESSING,
  PACK_FORMAT,
  type PackDisplay,
  type SureMetrics,
} from '../../../shared/pack.js';

export interface SyntheticPackOptions {
  name: string;
  /** Bytes of the weight shard; the default makes a shard big enough to exercise streaming. */
  shardBytes?: number;
  description?: string;
  /** Localised title and description (metadata `display`). */
  display?: PackDisplay;
  labels?: string[];
  /** How often it says "sure" on validation fish, and is right then (metadata `metrics.validation.sure`). */
  sure?: SureMetrics;
  /** Also write a file in a subfolder (`extra/notes.txt`) to exercise nested paths. */
  nested?: boolean;
  /** model.json instead of the default one (one softmax score per label). */
  modelJson?: unknown;
}

/**
 * A layers model.json the model check accepts (224×224 RGB in, one softmax score per label out);
 * its weights are not real, since the registry never runs the model.
 */
export function syntheticModelJson(labelCount: number, shard = 'group1-shard1of1.bin') {
  const layer = (name: string, class_name: string, config: object, input?: string) => ({
    name,
    class_name,
    config: { name, ...config },
    inbound_nodes: input ? [[[input, 0, 0, {}]]] : [],
  });
  return {
    format: 'layers-model',
    modelTopology: {
      class_name: 'Model',
      config: {
        name: 'synthetic',
        layers: [
          layer('input_1', 'InputLayer', {
            batch_input_shape: [null, 224, 224, 3],
            dtype: 'float32',
          }),
          layer('pool', 'GlobalAveragePooling2D', {}, 'input_1'),
          layer('predictions', 'Dense', { units: labelCount, activation: 'softmax' }, 'pool'),
        ],
        input_layers: [['input_1', 0, 0]],
        output_layers: [['predictions', 0, 0]],
      },
    },
    weightsManifest: [{ paths: [shard], weights: [] }],
  };
}

/** Writes the pack into `dir` (created) and returns `dir`. */
export function writeSyntheticPack(dir: string, options: SyntheticPackOptions): string {
  mkdirSync(dir, { recursive: true });
  const labels = options.labels ?? ['bream', 'perch', 'pike'];
  const files: Record<string, Buffer> = {
    'model.json': Buffer.from(
      JSON.stringify(options.modelJson ?? syntheticModelJson(labels.length)),
    ),
    'group1-shard1of1.bin': randomBytes(options.shardBytes ?? 200_000),
    'metadata.json': Buffer.from(
      JSON.stringify(
        {
          format: PACK_FORMAT,
          name: options.name,
          description: options.description ?? `Synthetic ${options.name} for tests`,
          ...(options.display ? { display: options.display } : {}),
          createdAt: new Date().toISOString(),
          tool: { name: 'synthetic-pack', version: '1' },
          architecture: 'none',
          modelFormat: 'tfjs-layers',
          input: { width: 224, height: 224, channels: 3 },
          preprocessing: MOBILENET_V2_PREPROCESSING,
          labels: labels.map((id) => ({ id, latin: `Latinus ${id}`, names: { en: id } })),
          ...(options.sure
            ? {
                metrics: {
                  validation: {
                    n: 100,
                    top1: 0.8,
                    top3: 1,
                    perClass: {},
                    confusion: [],
                    sure: options.sure,
                  },
                },
              }
            : {}),
        },
        null,
        2,
      ),
    ),
  };
  if (options.nested) files['extra/notes.txt'] = Buffer.from('nested file\n');
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
  const manifest = {
    format: PACK_FORMAT,
    files: Object.entries(files).map(([path, bytes]) => ({
      path,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    })),
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** A new temporary folder for packs. */
export function tempPackRoot(): string {
  return mkdtempSync(join(tmpdir(), 'fishlens-packs-'));
}

/** Flips one byte of a file in place, keeping its size: the tampering a size check cannot see. */
export function flipOneByte(file: string, offset = 10): void {
  const bytes = readFileSync(file);
  bytes[offset] = (bytes[offset] ?? 0) ^ 0xff;
  writeFileSync(file, bytes);
}
