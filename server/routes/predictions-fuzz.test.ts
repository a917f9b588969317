/**
 * Property-based fuzzing of the ingest endpoint against real PostgreSQL: random bodies, headers
 * and near-valid predictions never cause a 5xx, and the database changes by exactly what the
 * answer says was accepted.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/test-database.js';
import {
  ingestTestApp,
  makePrediction,
  postJson,
  type IngestTestApp,
} from '../ingest/testing/ingest-app.js';

const BATCH = '/api/v1/predictions/batch';
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const text = fc.oneof(
  fc.string({ maxLength: 140 }),
  fc.string({ unit: 'binary', maxLength: 40 }), // includes NUL and lone surrogates
  fc.constantFrom("'; DROP TABLE predictions; --", '\u0000', '\ud800', 'a'.repeat(200), ''),
);
const number = fc.oneof(
  fc.double(),
  fc.constantFrom(0, 1, -1, 0.5, 1e308, -0, 5e-324, Number.MAX_SAFE_INTEGER),
);

/** A prediction with each field either valid or replaced by something random. */
const nearlyValidPrediction = fc
  .record({
    id: fc.oneof(
      fc.uuid().map((u) => u),
      text,
      fc.constant(undefined),
    ),
    createdAt: fc.oneof(
      fc
        .date({ min: new Date('2019-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      text,
    ),
    label: text,
    probability: number,
    version: text,
    latencyMs: number,
    notSure: fc.oneof(fc.boolean(), fc.anything()),
    extra: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 2 })),
    keep: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  })
  .map((r) => {
    const base = makePrediction() as unknown as Record<string, unknown>;
    const k = r.keep;
    const p: Record<string, unknown> = {
      ...base,
      ...(k[0] ? {} : { id: r.id }),
      ...(k[1] ? {} : { createdAt: r.createdAt }),
      ...(k[2] ? {} : { top: [{ label: r.label, probability: r.probability }] }),
      ...(k[3] ? {} : { model: { name: r.label, version: r.version } }),
      ...(k[4] ? {} : { latencyMs: r.latencyMs }),
      ...(k[5] ? {} : { notSure: r.notSure }),
      ...(k[6] ? {} : { feedback: { label: r.label } }),
      ...(k[7] || !r.extra ? {} : r.extra),
    };
    return p;
  });

describe('fuzzing POST /api/v1/predictions/batch', () => {
  let test: TestDatabase;
  let ingest: IngestTestApp;
  let auth: Record<string, string>;
  beforeAll(async () => {
    test = await createTestDatabase();
    ingest = ingestTestApp(test.db, { maxBodyBytes: 64 * 1024 });
    auth = (await ingest.registerDevice()).auth;
  });
  afterAll(() => test.drop());

  const ids = async () =>
    new Set(
      (await test.db.query<{ id: string }>('SELECT id::text AS id FROM predictions')).rows.map(
        (r) => r.id,
      ),
    );

  it('never answers 5xx to random bodies and headers, and stores nothing for them', async () => {
    const header = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', ''),
    );
    const authHeader = fc.oneof(
      fc.constant(auth.Authorization!),
      fc.string({ maxLength: 60 }),
      fc.constant(`Bearer ${'x'.repeat(43)}`),
    );
    const body = fc.oneof(
      fc.string({ maxLength: 500 }),
      fc.json({ maxDepth: 4 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ predictions: v })),
      fc.uint8Array({ maxLength: 300 }),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        header,
        authHeader,
        fc.option(fc.string({ maxLength: 12 })),
        async (b, type, authorization, length) => {
          const before = await ids();
          const headers: Record<string, string> = {
            'Content-Type': type,
            Authorization: authorization,
          };
          if (length !== null) headers['Content-Length'] = length;
          let res: Response;
          try {
            res = await ingest.app.request(BATCH, { method: 'POST', headers, body: b });
          } catch (error) {
            // The Request constructor itself refuses some header values; nothing reached the app.
            if (error instanceof TypeError) return;
            throw error;
          }
          expect(res.status).toBeLessThan(500);
          if (res.status !== 200) {
            expect(res.headers.get('content-type')).toBe('application/problem+json');
          }
          const after = await ids();
          const accepted =
            res.status === 200 ? ((await res.json()) as { accepted: number }).accepted : 0;
          expect(after.size - before.size).toBe(accepted);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('stores exactly the accepted near-valid predictions, verbatim, and none of the rejected', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(nearlyValidPrediction, { minLength: 1, maxLength: 8 }),
        async (batch) => {
          const before = await ids();
          const res = await postJson(ingest.app, BATCH, { predictions: batch }, auth);
          expect(res.status).toBeLessThan(500);
          if (res.status !== 200) return;
          const answer = (await res.json()) as {
            accepted: number;
            duplicates: number;
            rejected: { index: number }[];
          };
          const after = await ids();
          expect(after.size - before.size).toBe(answer.accepted);
          expect(answer.accepted + answer.duplicates + answer.rejected.length).toBe(batch.length);
          const rejected = new Set(answer.rejected.map((r) => r.index));
          for (const [index, entry] of batch.entries()) {
            const id = typeof entry.id === 'string' ? entry.id.toLowerCase() : undefined;
            if (rejected.has(index)) {
              if (id && !before.has(id)) expect(after.has(id), `rejected ${id} stored`).toBe(false);
            } else {
              expect(after.has(id!)).toBe(true);
              const top = entry.top as { label: string }[];
              const { rows } = await test.db.query<{ top_label: string }>(
                'SELECT top_label FROM predictions WHERE id = $1',
                [id],
              );
              expect(rows[0]?.top_label).toBe(top[0]!.label);
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
