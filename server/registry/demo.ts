import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.js';
import type { RegistryConfig } from './config.js';
import { verifyPack } from './pack.js';
import { DEFAULT_ALIAS, type ModelRegistry } from './types.js';

/** The bundled demo packs: models/demo/<name>/ in the repository. */
export const DEFAULT_DEMO_MODELS_DIR = fileURLToPath(
  new URL('../../models/demo/', import.meta.url),
);

/**
 * Whether to publish the demo packs at start: `always`/`never` as configured; `auto` only with the
 * embedded defaults (PGlite, local files, no MLflow), so a production install is never changed
 * behind its operators' backs.
 */
export function shouldPublishDemoModels(config: RegistryConfig): boolean {
  if (config.DEMO_MODELS !== 'auto') return config.DEMO_MODELS === 'always';
  return !config.DATABASE_URL && !config.S3_BUCKET && !config.MLFLOW_TRACKING_URI;
}

/**
 * Publishes every pack folder under `dir` (its metadata name, alias `production`). A pack already
 * published (same manifest.json) is skipped, so this runs on every start and publishes only on the
 * first start or after the demo packs changed. No folder, or none yet: nothing happens. A broken
 * pack is logged and skipped; it never stops the server.
 */
export async function publishDemoPacks(
  registry: ModelRegistry,
  dir: string,
  log: Logger,
): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const published: string[] = [];
  for (const entry of entries
    .filter((e) => e.isDirectory())
    .sort((a, b) => a.name.localeCompare(b.name))) {
    const packDir = join(dir, entry.name);
    try {
      const pack = await verifyPack(packDir);
      const result = await registry.publish(pack, {
        name: pack.metadata.name,
        alias: DEFAULT_ALIAS,
      });
      if (result.created) {
        published.push(`${result.version.name}@${result.version.version}`);
        log.info(
          { name: result.version.name, version: result.version.version, packDir },
          'demo model pack published',
        );
      }
    } catch (error) {
      log.error({ err: error, packDir }, 'demo model pack not published');
    }
  }
  return published;
}
