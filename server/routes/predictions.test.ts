import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/test-database.js';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import { ensureInstallation } from '../installation.js';
import { createLogger } from '../log.js';
import {
  ingestTestApp,
  makePrediction,
  postJson,
  type IngestTestApp,
} from '../ingest/testing/ingest-app.js';

const BATCH = '/api/v1/predictions/batch';

describe('devices and prediction ingest', () => {
  let test: TestDatabase;
  let ingest: IngestTestApp;
  beforeAll(async () => {
    test = await createTestDatabase();
    ingest = ingestTestApp(test.db);
  });
  afterAll(() => test.drop());

  const rowsOf = async (deviceId?: string) =>
    (
      await test.db.query<{ id: string; device_id: string; top_label: string }>(
        `SELECT id::text, device_id::text, top_label FROM predictions
         ${deviceId ? 'WHERE device_id = $1' : ''} ORDER BY id`,
        deviceId ? [deviceId] : [],
      )
    ).rows;
  const count = async () =>
    (await test.db.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions')).rows[0]!.n;

  it('registers a device through the real app and stores only the sha256 of its token', async () => {
    const installation = await ensureInstallation(test.db);
    const app = createApp({
      config: loadConfig({}),
      db: test.db,
      log: createLogger('silent'),
      installation,
    });
    const res = await app.request('/api/v1/devices', { method: 'POST' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { deviceId: string; token: string };
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    const { rows } = await test.db.query<{ hash: string }>(
      "SELECT encode(token_sha256, 'hex') AS hash FROM devices WHERE id = $1",
      [body.deviceId],
    );
    expect(rows).toEqual([{ hash: createHash('sha256').update(body.token).digest('hex') }]);
  });

  it('stores a batch once and answers all duplicates when the same batch comes again', async () => {
    const device = await ingest.registerDevice();
    const batch = { predictions: [makePrediction(), makePrediction(), makePrediction()] };
    const first = await postJson(ingest.app, BATCH, batch, device.auth);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    const again = await postJson(ingest.app, BATCH, batch, device.auth);
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 3, rejected: [] });
    const rows = await rowsOf(device.deviceId);
    expect(rows.map((r) => r.id)).toEqual(batch.predictions.map((p) => p.id).sort());
  });

  it('keeps every field of a prediction as sent, with the device taken from the token', async () => {
    const device = await ingest.registerDevice();
    const p = makePrediction({ notSure: true, feedback: { label: 'perch' }, backend: 'wasm' });
    await postJson(ingest.app, BATCH, { predictions: [p] }, device.auth);
    const { rows } = await test.db.query(
      `SELECT device_id::text AS "deviceId", created_at AS "createdAt", model_name, model_version,
        top_label, top_probability, top, not_sure, latency_ms, backend, app_version,
        feedback_label, feedback_at IS NOT NULL AS has_feedback_at
       FROM predictions WHERE id = $1`,
      [p.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      deviceId: device.deviceId,
      model_name: 'fish',
      model_version: 3,
      top_label: 'bream',
      top_probability: 0.8,
      top: p.top,
      not_sure: true,
      latency_ms: 42.5,
      backend: 'wasm',
      app_version: '0.1.0',
      feedback_label: 'perch',
      has_feedback_at: true,
    });
    expect(new Date(rows[0]!.createdAt as string).toISOString()).toBe(p.createdAt);
  });

  it('accepts the valid entries of a batch and rejects only the invalid one, by id', async () => {
    const device = await ingest.registerDevice();
    const good = [makePrediction(), makePrediction()];
    const bad = { ...makePrediction(), top: [{ label: 'bream', probability: 1.5 }] };
    const res = await postJson(
      ingest.app,
      BATCH,
      { predictions: [good[0], bad, good[1]] },
      device.auth,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      accepted: number;
      rejected: { id: string; index: number; reason: string }[];
    };
    expect(body.accepted).toBe(2);
    expect(body.rejected).toHaveLength(1);
    expect(body.rejected[0]).toMatchObject({ id: bad.id, index: 1 });
    expect(body.rejected[0]!.reason).toContain('top.0.probability');
    expect((await rowsOf(device.deviceId)).map((r) => r.id)).toEqual(good.map((p) => p.id).sort());
  });

  it('stores the model version as a number, also when an older outbox sends it as digits', async () => {
    const device = await ingest.registerDevice();
    const asNumber = makePrediction({ model: { name: 'fish', version: 10 } });
    const asDigits = makePrediction({ model: { name: 'fish', version: '2' } });
    const notVersions = ['v3', '0', '-1', '1.5', '', ' 4', '99999999999'].map((version) =>
      makePrediction({ model: { name: 'fish', version } }),
    );
    const fraction = makePrediction({ model: { name: 'fish', version: 1.5 } });
    const res = await postJson(
      ingest.app,
      BATCH,
      { predictions: [asNumber, asDigits, ...notVersions, fraction] },
      device.auth,
    );
    const body = (await res.json()) as { accepted: number; rejected: { id: string }[] };
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r) => r.id)).toEqual([...notVersions, fraction].map((p) => p.id));
    const { rows } = await test.db.query<{ id: string; model_version: number }>(
      'SELECT id::text AS id, model_version FROM predictions WHERE device_id = $1',
      [device.deviceId],
    );
    expect(new Map(rows.map((r) => [r.id, r.model_version]))).toEqual(
      new Map([
        [asNumber.id, 10],
        [asDigits.id, 2],
      ]),
    );
  });

  it('rejects a top list that is unsorted, adds up to more than 1 or repeats a label, alone', async () => {
    const device = await ingest.registerDevice();
    const top = (...entries: [string, number][]) =>
      makePrediction({ top: entries.map(([label, probability]) => ({ label, probability })) });
    const good = [
      top(['bream', 0.6], ['perch', 0.4]),
      top(['bream', 0.5], ['perch', 0.5]), // a tie is in order
      top(['bream', 0.3333334], ['perch', 0.3333333], ['pike', 0.3333334 - 1e-7]),
    ];
    const bad = [
      top(['perch', 0.2], ['bream', 0.7]),
      top(['bream', 0.9], ['perch', 0.9]),
      top(['bream', 0.5], ['bream', 0.4]),
    ];
    const res = await postJson(
      ingest.app,
      BATCH,
      { predictions: [good[0], bad[0], good[1], bad[1], good[2], bad[2]] },
      device.auth,
    );
    const body = (await res.json()) as {
      accepted: number;
      rejected: { index: number; reason: string }[];
    };
    expect(body.accepted).toBe(3);
    expect(body.rejected.map((r) => r.index)).toEqual([1, 3, 5]);
    expect(body.rejected[0]!.reason).toMatch(/top\.1\.probability: must not be higher/);
    expect(body.rejected[1]!.reason).toMatch(/add up to 1\.8, more than 1/);
    expect(body.rejected[2]!.reason).toMatch(/top\.1\.label: names a label twice/);
    const stored = await rowsOf(device.deviceId);
    expect(stored.map((r) => r.id).sort()).toEqual(good.map((p) => p.id).sort());
  });

  it('stores createdAt with any ISO offset as the same instant, without failing the batch', async () => {
    const device = await ingest.registerDevice();
    const far = makePrediction({ createdAt: '2026-01-01T12:00:00+23:59' });
    const west = makePrediction({ createdAt: '2026-01-01T12:00:00.123456-15:59' });
    const res = await postJson(
      ingest.app,
      BATCH,
      { predictions: [makePrediction(), far, west] },
      device.auth,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: [] });
    const { rows } = await test.db.query<{ id: string; at: string }>(
      `SELECT id::text AS id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS at
       FROM predictions WHERE id = ANY($1::uuid[])`,
      [[far.id, west.id]],
    );
    expect(new Map(rows.map((r) => [r.id, r.at]))).toEqual(
      new Map([
        [far.id, '2025-12-31T12:01:00.000'],
        [west.id, '2026-01-02T03:59:00.123'],
      ]),
    );
  });

  it('rejects createdAt before 2020 or more than a day ahead, and unknown fields', async () => {
    const device = await ingest.registerDevice();
    const old = makePrediction({ createdAt: '2019-12-31T23:59:59Z' });
    const future = makePrediction({
      createdAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
    });
    const extra = { ...makePrediction(), deviceId: randomUUID() };
    const res = await postJson(
      ingest.app,
      BATCH,
      { predictions: [old, future, extra] },
      device.auth,
    );
    const body = (await res.json()) as { accepted: number; rejected: { id: string }[] };
    expect(body.accepted).toBe(0);
    expect(body.rejected.map((r) => r.id)).toEqual([old.id, future.id, extra.id]);
    expect(await rowsOf(device.deviceId)).toEqual([]);
  });

  it('stores SQL-injection and unusual strings verbatim', async () => {
    const device = await ingest.registerDevice();
    const nasty = [
      "'); DROP TABLE predictions; --",
      "Robert'); DELETE FROM devices WHERE ('1'='1",
      '$1::uuid[]',
      '{"a":1}',
      '\\x00',
      'щука 🐟 "quoted" \\ back',
    ];
    const batch = nasty.map((label) =>
      makePrediction({
        top: [{ label, probability: 0.5 }],
        model: { name: label, version: 1 },
      }),
    );
    const res = await postJson(ingest.app, BATCH, { predictions: batch }, device.auth);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(nasty.length);
    const { rows } = await test.db.query<{ top_label: string; model_name: string; label: string }>(
      "SELECT top_label, model_name, top->0->>'label' AS label FROM predictions WHERE device_id = $1",
      [device.deviceId],
    );
    expect(rows.map((r) => r.top_label).sort()).toEqual([...nasty].sort());
    expect(rows.every((r) => r.top_label === r.model_name && r.label === r.top_label)).toBe(true);
    expect((await test.db.query('SELECT 1 FROM devices')).rows.length).toBeGreaterThan(0);
  });

  it('answers 401 and writes nothing without a token or with a wrong one', async () => {
    const before = await count();
    const batch = { predictions: [makePrediction()] };
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: 'Bearer' },
      { Authorization: `Bearer ${'A'.repeat(43)}` },
      { Authorization: 'Basic dXNlcjpwYXNz' },
      { Authorization: `Bearer ${'A'.repeat(43)}'; --` },
    ];
    for (const headers of attempts) {
      const res = await postJson(ingest.app, BATCH, batch, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(await count()).toBe(before);
  });

  it('answers 413 for a body over the limit by Content-Length without running the handler', async () => {
    const small = ingestTestApp(test.db, { maxBodyBytes: 2048 });
    const device = await small.registerDevice();
    const body = JSON.stringify({
      predictions: Array.from({ length: 20 }, () => makePrediction()),
    });
    const before = await count();
    const res = await postJson(small.app, BATCH, body, {
      ...device.auth,
      'Content-Length': String(Buffer.byteLength(body)),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(small.insertCalls()).toBe(0);
    expect(await count()).toBe(before);
  });

  it('answers 413 for a chunked body that grows over the limit without running the handler', async () => {
    const small = ingestTestApp(test.db, { maxBodyBytes: 2048 });
    const device = await small.registerDevice();
    let pulled = 0;
    const chunk = new TextEncoder().encode(' '.repeat(512));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled > 1000)
          controller.close(); // far over the limit: must never be read this far
        else controller.enqueue(chunk);
      },
    });
    const res = await small.app.request(BATCH, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...device.auth },
      body: stream,
      duplex: 'half',
    });
    expect(res.status).toBe(413);
    expect(small.insertCalls()).toBe(0);
    expect(pulled).toBeLessThan(10);
  });

  it('limits each device with 429 and Retry-After, and lets it in again later', async () => {
    const limited = ingestTestApp(test.db, { perMinute: 60, burst: 2 });
    const device = await limited.registerDevice();
    const other = await limited.registerDevice();
    const send = (auth: Record<string, string>) =>
      postJson(limited.app, BATCH, { predictions: [makePrediction()] }, auth);
    expect((await send(device.auth)).status).toBe(200);
    expect((await send(device.auth)).status).toBe(200);
    const refused = await send(device.auth);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect((await send(other.auth)).status).toBe(200); // per device
    limited.advance(1_000);
    expect((await send(device.auth)).status).toBe(200);
    expect(await rowsOf(device.deviceId)).toHaveLength(3);
  });

  it('stores each prediction once when the same batch arrives five times at once', async () => {
    const device = await ingest.registerDevice();
    const batch = { predictions: Array.from({ length: 200 }, () => makePrediction()) };
    const answers = await Promise.all(
      Array.from({ length: 5 }, async () =>
        (await postJson(ingest.app, BATCH, batch, device.auth)).json(),
      ),
    );
    const typed = answers as { accepted: number; duplicates: number }[];
    expect(typed.reduce((sum, a) => sum + a.accepted, 0)).toBe(200);
    expect(typed.every((a) => a.accepted + a.duplicates === 200)).toBe(true);
    expect(await rowsOf(device.deviceId)).toHaveLength(200);
  });

  it('counts a repeated id inside one batch as a duplicate', async () => {
    const device = await ingest.registerDevice();
    const p = makePrediction();
    const res = await postJson(ingest.app, BATCH, { predictions: [p, p] }, device.auth);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
  });

  it('answers 400 problem+json for a malformed envelope, and 415 for a non-JSON type', async () => {
    const device = await ingest.registerDevice();
    for (const body of ['{', '[]', '{"predictions":[]}', '{"predictions":{}}', 'null']) {
      const res = await postJson(ingest.app, BATCH, body, device.auth);
      expect(res.status, body).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    const tooMany = { predictions: Array.from({ length: 501 }, () => makePrediction()) };
    expect((await postJson(ingest.app, BATCH, tooMany, device.auth)).status).toBe(400);
    const text = await ingest.app.request(BATCH, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', ...device.auth },
      body: '{}',
    });
    expect(text.status).toBe(415);
  });

  it('identifies a prediction by device and id: another device’s copy of an id is its own entry', async () => {
    const [mine, theirs] = [await ingest.registerDevice(), await ingest.registerDevice()];
    const shared = makePrediction();
    const first = await postJson(ingest.app, BATCH, { predictions: [shared] }, mine.auth);
    expect(await first.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    const copy = { ...shared, top: [{ label: 'perch', probability: 0.9 }] };
    const second = await postJson(ingest.app, BATCH, { predictions: [copy] }, theirs.auth);
    expect(await second.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await rowsOf(mine.deviceId)).map((r) => r.top_label)).toEqual(['bream']);
    expect((await rowsOf(theirs.deviceId)).map((r) => r.top_label)).toEqual(['perch']);
    // Feedback names the sender's own entry only.
    const feedback = await postJson(
      ingest.app,
      '/api/v1/predictions/feedback',
      { feedback: [{ id: shared.id, label: 'pike' }] },
      theirs.auth,
    );
    expect(await feedback.json()).toEqual({ updated: 1, unknown: [] });
    const { rows } = await test.db.query<{ device_id: string; feedback_label: string | null }>(
      'SELECT device_id::text, feedback_label FROM predictions WHERE id = $1',
      [shared.id],
    );
    expect(new Map(rows.map((r) => [r.device_id, r.feedback_label]))).toEqual(
      new Map([
        [mine.deviceId, null],
        [theirs.deviceId, 'pike'],
      ]),
    );
  });

  it('sets feedback idempotently, only on the device’s own predictions', async () => {
    const device = await ingest.registerDevice();
    const stranger = await ingest.registerDevice();
    const p = makePrediction();
    await postJson(ingest.app, BATCH, { predictions: [p] }, device.auth);
    const feedback = { feedback: [{ id: p.id, label: 'perch' }] };
    for (let i = 0; i < 2; i += 1) {
      const res = await postJson(ingest.app, '/api/v1/predictions/feedback', feedback, device.auth);
      expect(await res.json()).toEqual({ updated: 1, unknown: [] });
    }
    const theirs = await postJson(
      ingest.app,
      '/api/v1/predictions/feedback',
      {
        feedback: [{ id: p.id, label: 'burbot' }],
      },
      stranger.auth,
    );
    expect(await theirs.json()).toEqual({ updated: 0, unknown: [p.id] });
    const { rows } = await test.db.query('SELECT feedback_label FROM predictions WHERE id = $1', [
      p.id,
    ]);
    expect(rows).toEqual([{ feedback_label: 'perch' }]);
  });
});
