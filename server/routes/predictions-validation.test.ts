/**
 * Validation equals what PostgreSQL accepts: generated predictions, valid ones at the edges of
 * what is allowed (any ISO offset, 9 fraction digits, any Unicode but NUL, probabilities down
 * to denormals), go through the API into real PostgreSQL with no 5xx and as many rows as
 * `accepted`; and any one bad entry in a batch is rejected alone.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/test-database.js';
import { ingestTestApp, postJson, type IngestTestApp } from '../ingest/testing/ingest-app.js';

const BATCH = '/api/v1/predictions/batch';
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);

/** Text PostgreSQL stores verbatim: any Unicode but NUL, `min`..`max` UTF-16 units. */
const storable = (min: number, max: number) =>
  fc
    .string({ unit: 'grapheme', minLength: min, maxLength: max })
    .filter((s) => s.length >= min && s.length <= max && !s.includes('\u0000'));

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** An instant between 2020 and now, written in any offset ISO 8601 allows, with 0–9 fraction digits. */
const validCreatedAt = fc
  .record({
    time: fc.integer({ min: Date.parse('2020-01-02T00:00:00Z'), max: Date.now() - 60_000 }),
    offsetMinutes: fc.oneof(
      fc.constant(0),
      fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
      fc.constantFrom(-(15 * 60 + 59), 15 * 60 + 59, 16 * 60, -16 * 60, 23 * 60 + 59),
    ),
    fraction: fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 9 }),
    zulu: fc.boolean(),
  })
  .map(({ time, offsetMinutes, fraction, zulu }) => {
    const local = new Date(time + offsetMinutes * 60_000);
    const sign = offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(offsetMinutes);
    const offset =
      zulu && offsetMinutes === 0 ? 'Z' : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
    return (
      `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
      `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
      `${fraction ? `.${fraction}` : ''}${offset}`
    );
  });

/** 1–5 distinct labels with probabilities in 0–1, most probable first, adding up to at most 1. */
const validTop = fc
  .uniqueArray(storable(1, 128), { minLength: 1, maxLength: 5 })
  .chain((labels) =>
    fc
      .array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 5e-324, 1)), {
        minLength: labels.length,
        maxLength: labels.length,
      })
      .map((raw) => {
        const total = raw.reduce((a, b) => a + b, 0);
        const scaled = raw.map((p) => (total > 1 ? p / total : p)).sort((a, b) => b - a);
        return labels.map((label, i) => ({ label, probability: Math.min(1, scaled[i]!) }));
      }),
  )
  .filter((top) => top.reduce((sum, t) => sum + t.probability, 0) <= 1 + 1e-6);

/**
 * A prediction that passes validation, with values at the edges of what is allowed. Its id is
 * replaced by a fresh one when sent (`fresh`), so no two runs or entries share one.
 */
const validPrediction = fc.record({
  id: fc.uuid({ version: [1, 4, 7] }),
  createdAt: validCreatedAt,
  model: fc.record({
    name: storable(1, 128),
    version: fc.oneof(
      fc.integer({ min: 1, max: 2_147_483_647 }),
      fc.integer({ min: 1, max: 2_147_483_647 }).map(String),
    ),
  }),
  top: validTop,
  notSure: fc.boolean(),
  latencyMs: fc.oneof(fc.double({ min: 0, max: 600_000, noNaN: true }), fc.constantFrom(0, -0)),
  backend: storable(1, 32),
  appVersion: storable(1, 64),
  feedback: fc.option(fc.record({ label: storable(1, 128) }), { nil: undefined }),
});

/** Ways to make a valid prediction invalid, each one on its own. */
const spoil: fc.Arbitrary<(p: Record<string, unknown>) => Record<string, unknown>> = fc.oneof(
  fc
    .constantFrom(
      '2019-12-31T23:59:59Z',
      '2026-02-29T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:00:00+24:00',
      '2026-01-01 00:00:00Z',
      '0000-01-01T00:00:00Z',
      `${new Date().getUTCFullYear() + 1}-01-01T00:00:00Z`,
    )
    .map((createdAt) => (p: Record<string, unknown>) => ({ ...p, createdAt })),
  fc
    .constantFrom<unknown>('\u0000', 'a\u0000b', '\ud800', 'x\udc00', '', 'x'.repeat(129))
    .map((label) => (p: Record<string, unknown>) => ({
      ...p,
      top: [{ label, probability: 0.5 }],
    })),
  fc
    .constantFrom<unknown[]>(
      [
        { label: 'a', probability: 0.2 },
        { label: 'b', probability: 0.7 },
      ],
      [
        { label: 'a', probability: 0.9 },
        { label: 'b', probability: 0.9 },
      ],
      [
        { label: 'a', probability: 0.5 },
        { label: 'a', probability: 0.4 },
      ],
      [{ label: 'a', probability: 1.0000001 }],
      [{ label: 'a', probability: -0.1 }],
      [{ label: 'a', probability: null }],
      [],
    )
    .map((top) => (p: Record<string, unknown>) => ({ ...p, top })),
  fc
    .constantFrom<unknown>(0, -1, 1.5, '0', 'v3', '', '99999999999', 2_147_483_648, null)
    .map((version) => (p: Record<string, unknown>) => ({
      ...p,
      model: { name: 'fish', version },
    })),
  fc
    .constantFrom<[string, unknown]>(
      ['id', 'not-a-uuid'],
      ['id', 42],
      ['latencyMs', -1],
      ['latencyMs', 600_001],
      ['notSure', 'yes'],
      ['backend', 'x'.repeat(33)],
      ['appVersion', '\u0000'],
      ['deviceId', 'extra field'],
    )
    .map(([key, value]) => (p: Record<string, unknown>) => ({ ...p, [key]: value })),
);

const fresh = <T extends object>(entries: T[]) =>
  entries.map((entry) => ({ ...entry, id: randomUUID() }));

describe('validation equals what PostgreSQL accepts', () => {
  let test: TestDatabase;
  let ingest: IngestTestApp;
  let auth: Record<string, string>;
  beforeAll(async () => {
    test = await createTestDatabase();
    ingest = ingestTestApp(test.db, { maxBodyBytes: 1_048_576 });
    auth = (await ingest.registerDevice()).auth;
  });
  afterAll(() => test.drop());

  const count = async () =>
    (await test.db.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions')).rows[0]!.n;

  it('stores every generated valid prediction: no 5xx, rows added = accepted = sent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(validPrediction, { minLength: 1, maxLength: 20 }),
        async (generated) => {
          const batch = fresh(generated);
          const before = await count();
          const res = await postJson(ingest.app, BATCH, { predictions: batch }, auth);
          expect(res.status).toBe(200);
          const answer = (await res.json()) as { accepted: number; rejected: unknown[] };
          expect(answer.rejected).toEqual([]);
          expect(answer.accepted).toBe(batch.length);
          expect((await count()) - before).toBe(answer.accepted);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('rejects any one bad entry alone and stores the rest', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(validPrediction, { minLength: 1, maxLength: 12 }),
        validPrediction,
        spoil,
        fc.nat(),
        async (valid, victim, mutate, at) => {
          const index = at % (valid.length + 1);
          const bad = mutate({ ...victim, id: randomUUID() });
          // Fresh ids for the valid entries; the spoiled one keeps its own (a bad id is one spoil).
          const batch = [...fresh(valid.slice(0, index)), bad, ...fresh(valid.slice(index))];
          const before = await count();
          const res = await postJson(ingest.app, BATCH, { predictions: batch }, auth);
          expect(res.status).toBe(200);
          const answer = (await res.json()) as {
            accepted: number;
            rejected: { index: number }[];
          };
          expect(answer.rejected.map((r) => r.index)).toEqual([index]);
          expect(answer.accepted).toBe(valid.length);
          expect((await count()) - before).toBe(valid.length);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
