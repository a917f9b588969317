import { ConfigError } from '../config.js';
import type { Database } from '../db/index.js';
import { createObjectStore } from '../storage/index.js';
import { createBuiltinRegistry } from './builtin.js';
import { registryConfigIssues, type RegistryConfig } from './config.js';
import type { ModelRegistry } from './types.js';

export * from './types.js';
export { publishDemoPacks, shouldPublishDemoModels, DEFAULT_DEMO_MODELS_DIR } from './demo.js';
export { verifyPack, PackError, type VerifiedPack } from './pack.js';

/**
 * MLflow when MLFLOW_TRACKING_URI is set, else the built-in registry on `db` with S3 (S3_BUCKET)
 * or local files. Throws ConfigError for contradictory settings.
 */
export function createModelRegistry(config: RegistryConfig, db: Database | undefined): ModelRegistry {
  const issues = registryConfigIssues(config);
  if (issues.length > 0) throw new ConfigError(issues);
  if (!db) throw new Error('the built-in model registry needs a database');
  return createBuiltinRegistry(db, createObjectStore(config));
}
