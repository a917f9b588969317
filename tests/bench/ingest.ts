/**
 * `npm run bench:ingest [-- --json] [-- --rows N --clients C]`: rows per second through the
 * HTTP ingest API into PostgreSQL (batches of 500, several concurrent clients, the real server in
 * its own process) next to a direct COPY of the same rows into the same table on the same
 * database — the ceiling — with p50/p99 batch latency.
 * Prints {"apiRowsPerSec","copyRowsPerSec","ratio","p50Ms","p99Ms"} (plus the setup) with --json.
 * Needs PostgreSQL (TEST_DATABASE_URL/DATABASE_URL, or initdb on PATH) and `pg-copy-streams`.
 */
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { PredictionPayload } from '../../shared/api.js';
import { startFishlens } from '../support/fishlens-server.js';
import { acquirePostgres } from '../support/postgres.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rows: { type: 'string', default: '50000' },
    clients: { type: 'string', default: '8' },
    batch: { type: 'string', default: '500' },
  },
});
const TOTAL = Number(values.rows);
const CLIENTS = Number(values.clients);
const BATCH = Number(values.batch);
const say = (line: string) => {
  if (!values.json) console.error(line);
};

const LABELS = [
  'bream',
  'perch',
  'pike',
  'roach',
  'burbot',
  'zander',
  'ide',
  'tench',
  'carp',
  'rudd',
];

function prediction(i: number): PredictionPayload {
  const top = Array.from({ length: 5 }, (_, k) => ({
    label: LABELS[(i + k) % LABELS.length]!,
    probability: [0.62, 0.2, 0.1, 0.05, 0.03][k]!,
  }));
  return {
    id: randomUUID(),
    createdAt: new Date(Date.now() - (i % 86_400) * 1000).toISOString(),
    model: { name: 'fish', version: 3 },
    top,
    notSure: i % 7 === 0,
    latencyMs: 40 + (i % 50),
    backend: 'webgl',
    appVersion: '0.1.0',
    ...(i % 11 === 0 ? { feedback: { label: 'perch' } } : {}),
  };
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** One COPY text-format field: backslash, tab and newlines escaped; null as \N. */
function copyField(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  return String(value)
    .replace(/\\/g, '\\\\')
    .replace(/\t/g, '\\t')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

async function main(): Promise<void> {
  let copyFrom: (text: string) => NodeJS.WritableStream;
  try {
    ({ from: copyFrom } = (await import('pg-copy-streams')) as unknown as {
      from: (text: string) => NodeJS.WritableStream;
    });
  } catch {
    throw new Error(
      'bench:ingest needs pg-copy-streams for the COPY baseline: npm install pg-copy-streams',
    );
  }
  const postgres = await acquirePostgres(say);
  if (!postgres.adminUrl)
    throw new Error('bench:ingest needs PostgreSQL (set TEST_DATABASE_URL or install initdb)');
  process.env.POSTGRES_ADMIN_URL = postgres.adminUrl;
  const server = await startFishlens({
    env: {
      LOG_LEVEL: 'warn',
      INGEST_RATE_PER_MINUTE: '1000000',
      INGEST_RATE_BURST: '1000000',
      DATABASE_POOL_MAX: String(Math.max(10, CLIENTS * 2)),
    },
  });
  const db = new pg.Client({ connectionString: server.databaseUrl });
  try {
    await db.connect();
    // Each client is its own device with its own share of the rows, as batches of BATCH.
    const devices = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const res = await fetch(`${server.url}/api/v1/devices`, { method: 'POST' });
        return (await res.json()) as { deviceId: string; token: string };
      }),
    );
    const perClient = Math.ceil(TOTAL / CLIENTS);
    const work = devices.map((device, c) => {
      const rows = Array.from({ length: Math.min(perClient, TOTAL - c * perClient) }, (_, i) =>
        prediction(c * perClient + i),
      );
      const bodies: string[] = [];
      for (let i = 0; i < rows.length; i += BATCH)
        bodies.push(JSON.stringify({ predictions: rows.slice(i, i + BATCH) }));
      return { device, rows, bodies };
    });
    let retries = 0;
    // A network error is retried (the batch is idempotent, so a resend after a lost answer only
    // finds duplicates); any HTTP status other than 200 fails the run.
    const post = async (token: string, body: string): Promise<{ accepted: number }> => {
      for (let attempt = 0; ; attempt += 1) {
        let res: Response;
        try {
          res = await fetch(`${server.url}/api/v1/predictions/batch`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
            body,
          });
        } catch (error) {
          if (attempt >= 3) throw error;
          retries += 1;
          continue;
        }
        if (res.status !== 200)
          throw new Error(`batch answered ${res.status}: ${await res.text()}`);
        return (await res.json()) as { accepted: number };
      }
    };
    // Warm-up (JIT, connections), not counted: a few full batches per client, then removed.
    await Promise.all(
      work.map(async (w) => {
        for (let i = 0; i < 5; i += 1) {
          const warm = Array.from({ length: BATCH }, (_, k) => prediction(TOTAL + k));
          await post(w.device.token, JSON.stringify({ predictions: warm }));
        }
      }),
    );
    await db.query('TRUNCATE predictions');

    say(`API: ${TOTAL} rows, ${CLIENTS} clients, batches of ${BATCH}…`);
    const latencies: number[] = [];
    let accepted = 0;
    const apiStart = performance.now();
    await Promise.all(
      work.map(async (w) => {
        for (const body of w.bodies) {
          const t = performance.now();
          const answer = await post(w.device.token, body);
          latencies.push(performance.now() - t);
          accepted += answer.accepted;
        }
      }),
    );
    const apiSeconds = (performance.now() - apiStart) / 1000;
    const stored = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions'))
      .rows[0]!.n;
    if (accepted !== TOTAL || stored !== TOTAL)
      throw new Error(`API stored ${stored}, accepted ${accepted}, expected ${TOTAL}`);

    // The ceiling: the same rows (same ids) by COPY into the same, emptied table.
    await db.query('TRUNCATE predictions');
    await db.query('VACUUM ANALYZE predictions');
    say('COPY of the same rows…');
    const lines = work.flatMap((w) =>
      w.rows.map(
        (r) =>
          [
            r.id,
            w.device.deviceId,
            r.createdAt,
            r.model.name,
            r.model.version,
            r.top[0]!.label,
            r.top[0]!.probability,
            JSON.stringify(r.top),
            r.notSure,
            r.latencyMs,
            r.backend,
            r.appVersion,
            r.feedback?.label ?? null,
            r.feedback ? new Date().toISOString() : null,
          ]
            .map(copyField)
            .join('\t') + '\n',
      ),
    );
    const copyStart = performance.now();
    await pipeline(
      Readable.from(lines),
      db.query(
        copyFrom(`COPY predictions (id, device_id, created_at, model_name, model_version, top_label,
          top_probability, top, not_sure, latency_ms, backend, app_version, feedback_label, feedback_at)
          FROM STDIN`) as never,
      ) as unknown as NodeJS.WritableStream,
    );
    const copySeconds = (performance.now() - copyStart) / 1000;
    const copied = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions'))
      .rows[0]!.n;
    if (copied !== TOTAL) throw new Error(`COPY stored ${copied}, expected ${TOTAL}`);

    latencies.sort((a, b) => a - b);
    const apiRowsPerSec = Math.round(TOTAL / apiSeconds);
    const copyRowsPerSec = Math.round(TOTAL / copySeconds);
    const result = {
      apiRowsPerSec,
      copyRowsPerSec,
      ratio: Number((apiRowsPerSec / copyRowsPerSec).toFixed(3)),
      p50Ms: Number(percentile(latencies, 50).toFixed(1)),
      p99Ms: Number(percentile(latencies, 99).toFixed(1)),
      rows: TOTAL,
      clients: CLIENTS,
      batch: BATCH,
      networkRetries: retries,
    };
    if (values.json) console.log(JSON.stringify(result));
    else console.log(result);
  } catch (error) {
    console.error(server.output().slice(-3000));
    throw error;
  } finally {
    await db.end().catch(() => {});
    await server.dispose();
    await postgres.stop();
  }
}

main().catch((error: unknown) => {
  const cause =
    error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  console.error(error instanceof Error ? `${error.message}${cause}` : error);
  process.exit(1);
});
