import { join } from 'node:path';
import { MANIFEST_FILE } from '../../shared/pack.js';
import type { Database, Queryable } from '../db/index.js';
import { contentTypeFor, joinKey, type GetOptions, type ObjectStore } from '../storage/index.js';
import type { VerifiedPack } from './pack.js';
import type { ModelSummary } from '../../shared/models-api.js';
import { summaryFromMetadata } from './summary.js';
import {
  RegistryUnavailableError,
  type ModelRegistry,
  type ModelVersion,
  type PublishResult,
} from './types.js';

interface VersionRow {
  name: string;
  version: number;
  created_ms: number;
  metadata: Record<string, unknown>;
  description: string;
  label_count: number;
  size_bytes: number;
  storage_prefix: string;
  aliases: string[];
  files: { path: string; size: number; sha256: string }[];
}

// Casts make pg and PGlite return the same JS types (numbers, not int8 strings or bigints).
const VERSION_COLUMNS = `
  v.name, v.version::int AS version, (extract(epoch FROM v.created_at) * 1000)::float8 AS created_ms,
  v.metadata, v.description, v.label_count::int AS label_count, v.size_bytes::float8 AS size_bytes,
  v.storage_prefix,
  COALESCE((SELECT array_agg(a.alias ORDER BY a.alias) FROM model_aliases a
            WHERE a.name = v.name AND a.version = v.version), '{}'::text[]) AS aliases,
  COALESCE((SELECT json_agg(json_build_object('path', f.path, 'size', f.size::float8, 'sha256', f.sha256) ORDER BY f.path)
            FROM model_version_files f WHERE f.name = v.name AND f.version = v.version), '[]'::json) AS files`;

function toVersion(row: VersionRow): ModelVersion {
  return {
    name: row.name,
    version: row.version,
    aliases: row.aliases,
    createdAt: new Date(row.created_ms).toISOString(),
    metadata: row.metadata,
    files: row.files,
    description: row.description,
    labelCount: row.label_count,
    sizeBytes: row.size_bytes,
    location: row.storage_prefix,
  };
}

/** The database failed (down, timeout): a 503 for clients, with the driver's reason for the log. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RegistryUnavailableError(`the model registry database failed: ${reason}`, {
      cause: error,
    });
  }
}

/**
 * The built-in registry: models, versions, file manifests and aliases in PostgreSQL
 * (migration 0002_registry.sql), files in `store` under `models/<name>/<pack sha256>/<path>`.
 * Keys are content-addressed, so concurrent or repeated uploads of a pack are harmless and a
 * version's files are never overwritten by another version's.
 */
export function createBuiltinRegistry(db: Database, store: ObjectStore): ModelRegistry {
  const selectVersion = (tx: Queryable, where: string, params: unknown[]) =>
    tx.query<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM model_versions v ${where}`, params);

  return {
    kind: 'builtin',
    description: `built-in registry (${db.kind}), files in ${store.description}`,

    listModels: (alias) =>
      guarded(async () => {
        const result = await db.query<{
          name: string;
          version: number;
          created_ms: number;
          size_bytes: number;
          label_count: number;
          description: string;
          display: unknown;
          labels: unknown;
          sure: unknown;
        }>(
          `SELECT v.name, v.version::int AS version, (extract(epoch FROM v.created_at) * 1000)::float8 AS created_ms,
                  v.size_bytes::float8 AS size_bytes, v.label_count::int AS label_count, v.description,
                  v.metadata->'display' AS display, v.metadata->'labels' AS labels,
                  v.metadata->'metrics'->'validation'->'sure' AS sure
             FROM model_aliases a JOIN model_versions v ON v.name = a.name AND v.version = a.version
            WHERE a.alias = $1 ORDER BY v.name`,
          [alias],
        );
        return result.rows.map((row): ModelSummary => ({
          name: row.name,
          version: row.version,
          alias,
          createdAt: new Date(row.created_ms).toISOString(),
          sizeBytes: row.size_bytes,
          labelCount: row.label_count,
          description: row.description,
          ...summaryFromMetadata({
            display: row.display,
            labels: row.labels,
            metrics: { validation: { sure: row.sure } },
          }),
        }));
      }),

    getVersionByAlias: (name, alias) =>
      guarded(async () => {
        const result = await selectVersion(
          db,
          'JOIN model_aliases al ON al.name = v.name AND al.version = v.version WHERE al.name = $1 AND al.alias = $2',
          [name, alias],
        );
        return result.rows[0] ? toVersion(result.rows[0]) : null;
      }),

    getVersion: (name, version) =>
      guarded(async () => {
        const result = await selectVersion(db, 'WHERE v.name = $1 AND v.version = $2', [
          name,
          version,
        ]);
        return result.rows[0] ? toVersion(result.rows[0]) : null;
      }),

    openFile: (version: ModelVersion, path: string, options?: GetOptions) =>
      store.get(joinKey(version.location, path), options),

    headFile: (version, path, signal) => store.head(joinKey(version.location, path), { signal }),

    setAlias: (name, alias, version) =>
      guarded(async () => {
        const result = await db.query(
          `INSERT INTO model_aliases (name, alias, version)
           SELECT name, $2, version FROM model_versions WHERE name = $1 AND version = $3
           ON CONFLICT (name, alias) DO UPDATE SET version = EXCLUDED.version, updated_at = now()
           RETURNING version`,
          [name, alias, version],
        );
        return result.rows.length > 0;
      }),

    async publish(pack: VerifiedPack, options): Promise<PublishResult> {
      const { name, alias, signal } = options;
      const existing = await guarded(() =>
        selectVersion(db, 'WHERE v.name = $1 AND v.pack_sha256 = $2', [name, pack.digest]),
      );
      if (existing.rows[0]) return { version: toVersion(existing.rows[0]), created: false };

      // Files first, so a registered version never points at files that are not there yet.
      const prefix = joinKey('models', name, pack.digest);
      for (const file of pack.manifest.files) {
        await store.put(joinKey(prefix, file.path), join(pack.dir, ...file.path.split('/')), {
          sha256: file.sha256,
          size: file.size,
          contentType: contentTypeFor(file.path),
          signal,
        });
      }
      await store.put(joinKey(prefix, MANIFEST_FILE), join(pack.dir, MANIFEST_FILE), {
        sha256: pack.digest,
        size: pack.manifestBytes.length,
        contentType: 'application/json',
        signal,
      });

      return guarded(() =>
        db.transaction(async (tx) => {
          await tx.query(
            'INSERT INTO registered_models (name) VALUES ($1) ON CONFLICT (name) DO NOTHING',
            [name],
          );
          // Serialises publishers of one model, so version numbers are dense and unique.
          await tx.query('SELECT name FROM registered_models WHERE name = $1 FOR UPDATE', [name]);
          const again = await selectVersion(tx, 'WHERE v.name = $1 AND v.pack_sha256 = $2', [
            name,
            pack.digest,
          ]);
          if (again.rows[0]) return { version: toVersion(again.rows[0]), created: false };
          const next = await tx.query<{ version: number }>(
            'SELECT (COALESCE(max(version), 0) + 1)::int AS version FROM model_versions WHERE name = $1',
            [name],
          );
          const version = next.rows[0]?.version ?? 1;
          await tx.query(
            `INSERT INTO model_versions (name, version, pack_sha256, storage_prefix, metadata, description, label_count, size_bytes)
             VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)`,
            [
              name,
              version,
              pack.digest,
              prefix,
              JSON.stringify(pack.metadataJson),
              pack.metadata.description,
              pack.metadata.labels.length,
              pack.sizeBytes,
            ],
          );
          await tx.query(
            `INSERT INTO model_version_files (name, version, path, size, sha256)
             SELECT $1, $2, f.path, f.size, f.sha256 FROM unnest($3::text[], $4::bigint[], $5::text[]) AS f(path, size, sha256)`,
            [
              name,
              version,
              pack.manifest.files.map((f) => f.path),
              pack.manifest.files.map((f) => f.size),
              pack.manifest.files.map((f) => f.sha256),
            ],
          );
          if (alias) {
            await tx.query(
              `INSERT INTO model_aliases (name, alias, version) VALUES ($1, $2, $3)
               ON CONFLICT (name, alias) DO UPDATE SET version = EXCLUDED.version, updated_at = now()`,
              [name, alias, version],
            );
          }
          const created = await selectVersion(tx, 'WHERE v.name = $1 AND v.version = $2', [
            name,
            version,
          ]);
          if (!created.rows[0]) throw new Error('the version just inserted is not visible');
          return { version: toVersion(created.rows[0]), created: true };
        }),
      );
    },
  };
}
