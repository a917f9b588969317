import { join } from 'node:path';
import type { RegistryConfig } from '../registry/config.js';
import { createLocalObjectStore } from './local.js';
import type { ObjectStore } from './object-store.js';
import { createS3Client, createS3ObjectStore, type S3Settings } from './s3.js';

export * from './object-store.js';

/** The S3 connection settings from the config (used for S3_BUCKET and for MLflow's s3:// artifacts). */
export function s3SettingsFrom(config: RegistryConfig): S3Settings {
  return {
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    timeoutMs: config.STORAGE_TIMEOUT_MS,
  };
}

/** S3 when S3_BUCKET is set, else local files under DATA_DIR/model-files (the embedded default). */
export function createObjectStore(config: RegistryConfig): ObjectStore {
  if (config.S3_BUCKET) {
    return createS3ObjectStore({
      client: createS3Client(s3SettingsFrom(config)),
      bucket: config.S3_BUCKET,
      prefix: config.S3_PREFIX,
      timeoutMs: config.STORAGE_TIMEOUT_MS,
    });
  }
  return createLocalObjectStore(join(config.DATA_DIR, 'model-files'));
}
