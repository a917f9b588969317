import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/test-database.js';
import type { Prediction } from '../../shared/api.js';
import { statsResponseSchema, type StatsResponse } from '../../shared/stats.js';
import { createPredictionStore } from '../ingest/store.js';
import { createLogger } from '../log.js';
import { problemErrorHandler } from '../problem.js';
import { statsRoutes } from './stats.js';

const ADMIN = 'stats-admin-token-0123456789';
const auth = { Authorization: `Bearer ${ADMIN}` };
const NOW = new Date('2026-06-15T12:00:00Z');
const SPECIES = ['bream', 'perch', 'pike', 'roach'];

/** A deterministic pseudo-random sequence (mulberry32), so the fixture is the same every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 400 predictions over 40 days for three model versions, with edge-case confidences and feedback. */
function fixture(): Prediction[] {
  const next = random(42);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
  const edges = [0, 0.1, 0.5, 0.9, 0.99, 1];
  return Array.from({ length: 400 }, (_, i) => {
    const probability =
      i < edges.length * 3 ? edges[i % edges.length]! : Math.round(next() * 100) / 100;
    const label = pick(SPECIES);
    const payload: Prediction = {
      id: randomUUID(),
      // Up to 40 days back from NOW, so some fall before the default 30-day window.
      createdAt: new Date(NOW.getTime() - Math.floor(next() * 40 * 86_400_000)).toISOString(),
      model: pick([
        { name: 'fish', version: 3 },
        { name: 'fish', version: 4 },
        { name: 'other', version: 1 },
      ]),
      top: [{ label, probability }],
      notSure: probability < 0.5,
      latencyMs: 30,
      backend: 'wasm',
      appVersion: '0.1.0',
    };
    if (next() < 0.3) payload.feedback = { label: next() < 0.5 ? label : pick(SPECIES) };
    return payload;
  });
}

/** What the stats must say, computed in JavaScript from the rows themselves. */
function expected(rows: Prediction[], model: string | undefined, from: Date, to: Date) {
  const inWindow = rows.filter((r) => {
    const t = new Date(r.createdAt);
    return (!model || r.model.name === model) && t >= from && t < to;
  });
  const byVersion = new Map<string, Prediction[]>();
  for (const r of inWindow) {
    const key = `${r.model.name}/${r.model.version}`;
    byVersion.set(key, [...(byVersion.get(key) ?? []), r]);
  }
  return new Map(
    [...byVersion].map(([key, list]) => {
      const counts = new Array<number>(10).fill(0);
      for (const r of list) counts[Math.min(Math.floor(r.top[0]!.probability * 10), 9)]! += 1;
      const withFeedback = list.filter((r) => r.feedback);
      return [
        key,
        {
          predictions: list.length,
          notSure: list.filter((r) => r.notSure).length,
          confidence: counts,
          withFeedback: withFeedback.length,
          disagreements: withFeedback.filter((r) => r.feedback!.label !== r.top[0]!.label).length,
        },
      ];
    }),
  );
}

describe('GET /api/v1/stats', () => {
  let test: TestDatabase;
  let app: Hono;
  const rows = fixture();

  beforeAll(async () => {
    test = await createTestDatabase();
    const store = createPredictionStore(test.db);
    const { deviceId } = await store.registerDevice();
    await store.insertPredictions(deviceId, rows);
    app = new Hono();
    app.onError(problemErrorHandler(createLogger('silent')));
    app.route('/api/v1', statsRoutes({ db: test.db, adminToken: ADMIN, now: () => NOW }));
  });
  afterAll(() => test.drop());

  const get = async (query: string): Promise<StatsResponse> => {
    const res = await app.request(`/api/v1/stats${query}`, { headers: auth });
    expect(res.status).toBe(200);
    return statsResponseSchema.parse(await res.json());
  };

  it('needs the admin token', async () => {
    expect((await app.request('/api/v1/stats')).status).toBe(401);
    expect(
      (
        await app.request('/api/v1/stats', {
          headers: { Authorization: 'Bearer wrong-token-000000000' },
        })
      ).status,
    ).toBe(403);
  });

  it('counts predictions, not-sure, confidence bins and disagreement per version exactly as the rows say', async () => {
    const body = await get('');
    const from = new Date(NOW.getTime() - 30 * 86_400_000);
    const want = expected(rows, undefined, from, NOW);
    expect(body.from).toBe(from.toISOString());
    // The fixture must exercise what it checks: several versions, not-sure rows and disagreements.
    expect(want.size).toBe(3);
    expect([...want.values()].every((w) => w.notSure > 0 && w.disagreements > 0)).toBe(true);
    expect(body.versions.map((v) => `${v.model}/${v.version}`).sort()).toEqual(
      [...want.keys()].sort(),
    );
    for (const v of body.versions) {
      const w = want.get(`${v.model}/${v.version}`)!;
      expect(v.predictions).toBe(w.predictions);
      expect(v.notSure).toBe(w.notSure);
      expect(v.notSureRate).toBeCloseTo(w.notSure / w.predictions, 12);
      expect(v.confidence.counts).toEqual(w.confidence);
      expect(v.feedback.withFeedback).toBe(w.withFeedback);
      expect(v.feedback.disagreements).toBe(w.disagreements);
      expect(v.perDay.reduce((sum, d) => sum + d.count, 0)).toBe(w.predictions);
      expect(v.feedback.perSpecies.reduce((sum, s) => sum + s.disagreements, 0)).toBe(
        w.disagreements,
      );
    }
  });

  it('agrees with plain SQL counts over the same rows, per day and species', async () => {
    const body = await get('?model=fish&from=2026-06-01&to=2026-06-15');
    const { rows: sql } = await test.db.query<{
      version: number;
      day: string;
      species: string;
      n: number;
    }>(
      `SELECT model_version AS version, (created_at AT TIME ZONE 'UTC')::date::text AS day, top_label AS species, count(*)::int AS n
       FROM predictions WHERE model_name = 'fish' AND created_at >= '2026-06-01T00:00:00Z' AND created_at < '2026-06-15T00:00:00Z'
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    const fromApi = body.versions.flatMap((v) =>
      v.perDay.map((d) => ({ version: v.version, day: d.day, species: d.species, n: d.count })),
    );
    expect(fromApi).toEqual(sql);
    expect(body.versions.every((v) => v.model === 'fish')).toBe(true);
  });

  it('lists versions in numeric order, version 10 after version 2', async () => {
    const store = createPredictionStore(test.db);
    const { deviceId } = await store.registerDevice();
    const at = new Date(NOW.getTime() - 86_400_000).toISOString();
    await store.insertPredictions(
      deviceId,
      [10, 2, 9, 1].map((version) => ({
        id: randomUUID(),
        createdAt: at,
        model: { name: 'ordered', version },
        top: [{ label: 'pike', probability: 0.9 }],
        notSure: false,
        latencyMs: 30,
        backend: 'wasm',
        appVersion: '0.1.0',
      })),
    );
    const body = await get('?model=ordered');
    expect(body.versions.map((v) => v.version)).toEqual([1, 2, 9, 10]);
  });

  it('takes from and to with any ISO offset, as PostgreSQL would not by itself', async () => {
    const body = await get('?from=2026-06-01T00:00:00%2B23:59&to=2026-06-15T00:00:00-15:59');
    expect(body.from).toBe('2026-05-31T00:01:00.000Z');
    expect(body.to).toBe('2026-06-15T15:59:00.000Z');
  });

  it('answers an empty list, not an error, for a model without predictions', async () => {
    expect((await get('?model=nothing')).versions).toEqual([]);
  });

  it.each([
    ['?from=2026-06-10&to=2026-06-01', /before/],
    ['?from=2020-01-01&to=2026-01-01', /at most 366 days/],
    ['?from=yesterday', /from/],
    ['?limit=5', /limit/],
    ['?model=a%00b', /model/],
    ['?model=' + 'x'.repeat(129), /model/],
    ['?from=0000-01-01&to=0000-06-01', /from 2020/],
    ['?to=2026-02-30', /to/],
  ])('rejects %s with 400 and a reason', async (query, reason) => {
    const res = await app.request(`/api/v1/stats${query}`, { headers: auth });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(reason);
  });
});
