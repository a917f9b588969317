import { ConfigError } from '../config.js';
import type { Database } from '../db/index.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { createObjectStore, s3SettingsFrom } from '../storage/index.js';
import { createS3Client } from '../storage/s3.js';
import { createMlflowRegistry } from './mlflow.js';
import { createMlflowClient } from './mlflow-client.js';
import { createBuiltinRegistry } from './builtin.js';
import { registryConfigIssues, type RegistryConfig } from './config.js';
import type { ModelRegistry } from './types.js';

export * from './types.js';
export { publishDemoPacks, shouldPublishDemoModels, DEFAULT_DEMO_MODELS_DIR } from './demo.js';
export { verifyPack, PackError } from './pack.js';

/**
 * MLflow when MLFLOW_TRACKING_URI is set, else the built-in registry on `db` with S3 (S3_BUCKET)
 * or local files. Throws ConfigError for contradictory settings.
 */
export function createModelRegistry(
  config: RegistryConfig,
  db: Database | undefined,
): ModelRegistry {
  const issues = registryConfigIssues(config);
  if (issues.length > 0) throw new ConfigError(issues);
  if (config.MLFLOW_TRACKING_URI) {
    let s3: S3Client | undefined;
    return createMlflowRegistry({
      client: createMlflowClient({
        trackingUri: config.MLFLOW_TRACKING_URI,
        token: config.MLFLOW_TRACKING_TOKEN,
        username: config.MLFLOW_TRACKING_USERNAME,
        password: config.MLFLOW_TRACKING_PASSWORD,
        timeoutMs: config.REGISTRY_TIMEOUT_MS,
      }),
      s3: () => (s3 ??= createS3Client(s3SettingsFrom(config))),
      storageTimeoutMs: config.STORAGE_TIMEOUT_MS,
      experimentId: config.MLFLOW_EXPERIMENT_ID,
    });
  }
  if (!db) throw new Error('the built-in model registry needs a database');
  return createBuiltinRegistry(db, createObjectStore(config));
}
