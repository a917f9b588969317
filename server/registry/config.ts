/**
 * Environment variables of the model registry and model file storage. Spread into the app's
 * config schema (server/config.ts) so one place lists and validates every variable.
 */
import { z } from 'zod';

const httpUrl = (example: string) =>
  z.string().refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, `expected an http(s) URL such as ${example}`);

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const millis = (fallback: number) =>
  z.coerce
    .number({ message: 'expected a number of milliseconds' })
    .int('expected a whole number of milliseconds')
    .min(100, 'expected at least 100 ms')
    .max(600_000, 'expected at most 600000 ms (10 minutes)')
    .default(fallback);

/** The registry's and storage's variables; all optional, so `npm start` needs none of them. */
export const registryConfigShape = {
  /** S3-compatible endpoint (MinIO, Yandex Object Storage); unset means AWS S3 for the region. */
  S3_ENDPOINT: httpUrl('https://storage.yandexcloud.net or http://minio:9000').optional(),
  /** Bucket for model files; unset means the embedded store (files under DATA_DIR/model-files). */
  S3_BUCKET: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'expected an S3 bucket name (3–63 lowercase letters, digits, dots, dashes)',
    )
    .optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Static credentials; when both are unset the AWS SDK's default chain (env, IAM role) is used. */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Path-style URLs (http://host/bucket/key); MinIO and s3rver need it, AWS and Yandex do not. */
  S3_FORCE_PATH_STYLE: flag.default(false),
  /** Key prefix inside the bucket, so Fishlens can share a bucket. */
  S3_PREFIX: z
    .string()
    .regex(
      /^(?:[A-Za-z0-9._-]+\/)*$/,
      'expected a key prefix ending in "/" such as fishlens/ (or empty)',
    )
    .default(''),
  /** Time to connect and to wait for the first byte (and between bytes) from object storage. */
  STORAGE_TIMEOUT_MS: millis(10_000),
  /** An MLflow tracking server; when set, MLflow is the model registry instead of the built-in one. */
  MLFLOW_TRACKING_URI: httpUrl('http://mlflow:5000').optional(),
  MLFLOW_TRACKING_TOKEN: z.string().min(1).optional(),
  MLFLOW_TRACKING_USERNAME: z.string().min(1).optional(),
  MLFLOW_TRACKING_PASSWORD: z.string().min(1).optional(),
  /** Experiment that holds the runs `publish-model` creates in MLflow. */
  MLFLOW_EXPERIMENT_ID: z.string().regex(/^\d+$/, 'expected a numeric experiment id').default('0'),
  /** Time for one MLflow REST call. */
  REGISTRY_TIMEOUT_MS: millis(5_000),
  /** Publish the packs under DEMO_MODELS_DIR at start: `auto` only with the embedded defaults. */
  DEMO_MODELS: z
    .enum(['auto', 'always', 'never'], { message: 'expected auto, always or never' })
    .default('auto'),
  DEMO_MODELS_DIR: z.string().min(1).optional(),
} as const;

/** The subset of the app config the registry and storage read. */
export interface RegistryConfig {
  DATA_DIR: string;
  DATABASE_URL?: string | undefined;
  S3_ENDPOINT?: string | undefined;
  S3_BUCKET?: string | undefined;
  S3_REGION: string;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
  S3_FORCE_PATH_STYLE: boolean;
  S3_PREFIX: string;
  STORAGE_TIMEOUT_MS: number;
  MLFLOW_TRACKING_URI?: string | undefined;
  MLFLOW_TRACKING_TOKEN?: string | undefined;
  MLFLOW_TRACKING_USERNAME?: string | undefined;
  MLFLOW_TRACKING_PASSWORD?: string | undefined;
  MLFLOW_EXPERIMENT_ID: string;
  REGISTRY_TIMEOUT_MS: number;
  DEMO_MODELS: 'auto' | 'always' | 'never';
  DEMO_MODELS_DIR?: string | undefined;
}

/** Checks between variables that one schema field cannot see; returns messages like ConfigError's. */
export function registryConfigIssues(config: RegistryConfig): string[] {
  const issues: string[] = [];
  if (Boolean(config.S3_ACCESS_KEY_ID) !== Boolean(config.S3_SECRET_ACCESS_KEY)) {
    issues.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both or neither');
  }
  // With MLflow, s3:// artifact URIs name their bucket; S3_ENDPOINT and keys alone make sense.
  if (
    (config.S3_ENDPOINT || config.S3_ACCESS_KEY_ID) &&
    !config.S3_BUCKET &&
    !config.MLFLOW_TRACKING_URI
  ) {
    issues.push(
      'S3_BUCKET: required when S3_ENDPOINT or S3 credentials are set (unless MLFLOW_TRACKING_URI is)',
    );
  }
  if (Boolean(config.MLFLOW_TRACKING_USERNAME) !== Boolean(config.MLFLOW_TRACKING_PASSWORD)) {
    issues.push('MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD: set both or neither');
  }
  return issues;
}
