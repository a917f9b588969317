import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { createModelRegistry } from './index.js';
import { registryConfigIssues } from './config.js';
import { shouldPublishDemoModels } from './demo.js';

describe('registry and storage configuration', () => {
  it('needs nothing: built-in registry, local files, demo packs published', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: false,
      REGISTRY_TIMEOUT_MS: 5_000,
      STORAGE_TIMEOUT_MS: 10_000,
      DEMO_MODELS: 'auto',
    });
    expect(registryConfigIssues(config)).toEqual([]);
    expect(shouldPublishDemoModels(config)).toBe(true);
  });

  it('reads S3 settings for MinIO or Yandex Object Storage', () => {
    const config = loadConfig({
      S3_ENDPOINT: 'https://storage.yandexcloud.net',
      S3_BUCKET: 'fishlens-models',
      S3_REGION: 'ru-central1',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_FORCE_PATH_STYLE: 'true',
    });
    expect(config.S3_FORCE_PATH_STYLE).toBe(true);
    expect(registryConfigIssues(config)).toEqual([]);
    expect(shouldPublishDemoModels(config)).toBe(false);
  });

  it('names each bad variable, and hides secrets in the message', () => {
    let error: unknown;
    try {
      loadConfig({
        S3_ENDPOINT: 'minio:9000',
        S3_BUCKET: 'Bad_Bucket',
        S3_FORCE_PATH_STYLE: 'maybe',
        MLFLOW_TRACKING_URI: 'mlflow',
        REGISTRY_TIMEOUT_MS: '5',
        DEMO_MODELS: 'sometimes',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of [
      'S3_ENDPOINT: expected an http(s) URL',
      'S3_BUCKET: expected an S3 bucket name',
      'S3_FORCE_PATH_STYLE: expected true or false',
      'MLFLOW_TRACKING_URI: expected an http(s) URL',
      'REGISTRY_TIMEOUT_MS: expected at least 100 ms',
      'DEMO_MODELS: expected auto, always or never',
    ]) {
      expect(message).toContain(name);
    }
  });

  it('refuses half-set credentials and an endpoint without a bucket when the registry is built', () => {
    const config = loadConfig({ S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY_ID: 'id' });
    expect(() => createModelRegistry(config, undefined)).toThrow(ConfigError);
    expect(registryConfigIssues(config)).toEqual([
      'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both or neither',
      'S3_BUCKET: required when S3_ENDPOINT or S3 credentials are set (unless MLFLOW_TRACKING_URI is)',
    ]);
  });

  it('chooses MLflow when MLFLOW_TRACKING_URI is set', () => {
    const registry = createModelRegistry(
      loadConfig({ MLFLOW_TRACKING_URI: 'http://mlflow:5000' }),
      undefined,
    );
    expect(registry.kind).toBe('mlflow');
  });
});
