/**
 * The model registry: which versions of which models exist, which version an alias names, and
 * how to read a version's files. Two implementations: built-in (PostgreSQL + ObjectStore,
 * builtin.ts) and MLflow (mlflow.ts); the HTTP routes only see this interface.
 */
import type { ModelSummary } from '../../shared/models-api.js';
import type { ManifestEntry } from '../../shared/pack.js';
import type { GetOptions } from '../storage/index.js';
import type { VerifiedPack } from './pack.js';

/** The alias clients use unless they ask for another one. */
export const DEFAULT_ALIAS = 'production';
/** Alias names: lowercase letters, digits, `-`, `_`; 1–64 characters, starting with a letter. */
export const ALIAS_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;

/**
 * Why `alias` cannot name a version, or undefined when it can. `latest` and `v1`, `v2`… are
 * reserved: MLflow refuses to set them (mlflow/utils/validation.py,
 * `_validate_model_alias_name_reserved`) and 3.x answers `latest` with the newest version.
 */
export function invalidAlias(alias: string): string | undefined {
  if (!ALIAS_PATTERN.test(alias))
    return 'an alias is 1–64 lowercase letters, digits, "-" or "_", starting with a letter.';
  if (alias === 'latest' || /^v\d+$/.test(alias))
    return `"${alias}" is reserved (MLflow uses latest and v1, v2… for versions); choose another alias, such as production.`;
  return undefined;
}

/** One published, immutable version of a registered model. */
export interface ModelVersion {
  name: string;
  version: number;
  /** Aliases naming this version right now (they move; the version does not change). */
  aliases: string[];
  /** When the version was registered (ISO 8601, UTC). */
  createdAt: string;
  /** The pack's metadata.json, as published. */
  metadata: Record<string, unknown>;
  /** Every file of the pack except manifest.json: the manifest's entries. */
  files: ManifestEntry[];
  description: string;
  labelCount: number;
  sizeBytes: number;
  /** Where the files are, opaque to callers (a key prefix, or an artifact URI). */
  location: string;
  /** Files the registry made rather than stored (a bare export's metadata.json), by path. */
  generatedFiles?: ReadonlyMap<string, Uint8Array>;
}

export interface PublishResult {
  version: ModelVersion;
  /** False when this exact pack (same manifest.json bytes) was already published under the name. */
  created: boolean;
}

export interface ModelRegistry {
  readonly kind: 'builtin' | 'mlflow';
  /** Where versions and files live, for logs; never includes credentials. */
  readonly description: string;
  /** One entry per registered model that has `alias`, sorted by name. */
  listModels(alias: string, signal?: AbortSignal): Promise<ModelSummary[]>;
  /** The version an alias names, or null when the model or alias does not exist. */
  getVersionByAlias(
    name: string,
    alias: string,
    signal?: AbortSignal,
  ): Promise<ModelVersion | null>;
  /** One version, or null when the model or version does not exist. */
  getVersion(name: string, version: number, signal?: AbortSignal): Promise<ModelVersion | null>;
  /** Streams one file of a version (whole, or a byte range). */
  openFile(
    version: ModelVersion,
    path: string,
    options?: GetOptions,
  ): Promise<ReadableStream<Uint8Array>>;
  /** Size of a file in storage, or null when storage does not have it. */
  headFile(
    version: ModelVersion,
    path: string,
    signal?: AbortSignal,
  ): Promise<{ size: number } | null>;
  /** Points `alias` at an existing version; false when that version does not exist. */
  setAlias(name: string, alias: string, version: number, signal?: AbortSignal): Promise<boolean>;
  /**
   * Uploads a verified pack and registers it as the next version (moving `alias` to it when
   * given). Publishing the same pack again returns the existing version with `created: false`
   * and leaves aliases alone.
   */
  publish(
    pack: VerifiedPack,
    options: { name: string; alias?: string | undefined; signal?: AbortSignal },
  ): Promise<PublishResult>;
}

/**
 * A registered version that Fishlens cannot serve as a model (no model.json, no labels, a model
 * the app cannot run…): the message says why, for the person who registered it.
 */
export class ModelNotRunnableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelNotRunnableError';
  }
}

/** The registry (MLflow, or the database behind the built-in one) could not be reached in time. */
export class RegistryUnavailableError extends Error {
  /**
   * What clients may be told when it is something they (or whoever runs the server) can act on,
   * without internals such as addresses; `message` is for the log.
   */
  publicDetail?: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryUnavailableError';
  }
}
