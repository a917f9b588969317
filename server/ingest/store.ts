import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Prediction } from '../../shared/api.js';
import type { Database } from '../db/index.js';
import { withinOwnData, type DataIdentity } from '../data-identity.js';

/** A prediction the database took for the first time (what metrics count). */
export interface InsertedPrediction {
  id: string;
  modelName: string;
  modelVersion: number;
  topLabel: string;
  notSure: boolean;
}

/** The SQL behind devices and ingest; routes take it as an interface so tests can watch it. */
export interface PredictionStore {
  /** Creates a device and returns its id with the token (shown once; only the hash is stored). */
  registerDevice(): Promise<{ deviceId: string; token: string }>;
  /** The device a bearer token belongs to, or null. */
  deviceForToken(token: string): Promise<string | null>;
  /** Inserts valid predictions once; rows whose id exists already are skipped, not updated. */
  insertPredictions(deviceId: string, rows: Prediction[]): Promise<InsertedPrediction[]>;
  /** Sets the user's feedback on this device's predictions; returns the ids found. */
  setFeedback(deviceId: string, items: { id: string; label: string }[]): Promise<string[]>;
}

/** sha256 of a token, as stored in devices.token_sha256. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

// One statement: unnest turns the column arrays into rows; ON CONFLICT DO NOTHING skips ids that
// exist (also a second copy inside the same batch), and RETURNING names what was really inserted,
// so duplicates are counted rather than re-inserted. Concurrent identical batches wait on the
// unique index and then do nothing.
const INSERT_PREDICTIONS = `
INSERT INTO predictions (id, device_id, created_at, model_name, model_version, top_label,
  top_probability, top, not_sure, latency_ms, backend, app_version, feedback_label, feedback_at)
SELECT t.id, $1::uuid, t.created_at, t.model_name, t.model_version, t.top_label,
  t.top_probability, t.top::jsonb, t.not_sure, t.latency_ms, t.backend, t.app_version,
  t.feedback_label, CASE WHEN t.feedback_label IS NULL THEN NULL ELSE now() END
FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::int[], $6::text[],
  $7::float8[], $8::text[], $9::bool[], $10::float8[], $11::text[], $12::text[], $13::text[])
  AS t(id, created_at, model_name, model_version, top_label, top_probability, top, not_sure,
    latency_ms, backend, app_version, feedback_label)
ON CONFLICT (device_id, id) DO NOTHING
RETURNING id::text AS id, model_name AS "modelName", model_version AS "modelVersion",
  top_label AS "topLabel", not_sure AS "notSure"`;

// Feedback is a plain overwrite with the latest label: sending it twice changes nothing more.
const SET_FEEDBACK = `
UPDATE predictions AS p
SET feedback_label = f.label, feedback_at = now()
FROM unnest($2::uuid[], $3::text[]) AS f(id, label)
WHERE p.id = f.id AND p.device_id = $1::uuid
RETURNING p.id::text AS id`;

/**
 * The PostgreSQL implementation of PredictionStore (pg or PGlite). With `identity`, every write
 * commits only into the data this server started with (see data-identity.ts), and an unknown
 * token is reported as unknown only after checking that the database is still ours, so devices
 * are not told to register again by a database that was swapped.
 */
export function createPredictionStore(db: Database, identity?: DataIdentity): PredictionStore {
  return {
    async registerDevice() {
      const deviceId = randomUUID();
      const token = randomBytes(32).toString('base64url');
      await withinOwnData(db, identity, (tx) =>
        tx.query('INSERT INTO devices (id, token_sha256) VALUES ($1, $2)', [
          deviceId,
          hashToken(token),
        ]),
      );
      return { deviceId, token };
    },

    async deviceForToken(token) {
      const { rows } = await db.query<{ id: string }>(
        'SELECT id::text AS id FROM devices WHERE token_sha256 = $1',
        [hashToken(token)],
      );
      if (rows[0]) return rows[0].id;
      await identity?.checkFolder();
      await identity?.checkDatabase(db);
      return null;
    },

    async insertPredictions(deviceId, rows) {
      if (rows.length === 0) return [];
      const result = await withinOwnData(db, identity, (tx) =>
        tx.query<InsertedPrediction>(INSERT_PREDICTIONS, [
          deviceId,
          rows.map((r) => r.id),
          rows.map((r) => r.createdAt),
          rows.map((r) => r.model.name),
          rows.map((r) => r.model.version),
          rows.map((r) => r.top[0]!.label),
          rows.map((r) => r.top[0]!.probability),
          rows.map((r) => JSON.stringify(r.top)),
          rows.map((r) => r.notSure),
          rows.map((r) => r.latencyMs),
          rows.map((r) => r.backend),
          rows.map((r) => r.appVersion),
          rows.map((r) => r.feedback?.label ?? null),
        ]),
      );
      return result.rows;
    },

    async setFeedback(deviceId, items) {
      if (items.length === 0) return [];
      const { rows } = await withinOwnData(db, identity, (tx) =>
        tx.query<{ id: string }>(SET_FEEDBACK, [
          deviceId,
          items.map((i) => i.id),
          items.map((i) => i.label),
        ]),
      );
      return rows.map((r) => r.id);
    },
  };
}
