import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { requestLog } from './request-log.js';

/** A logger writing JSON lines into an array, at `level`. */
function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(chunk.toString());
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level }, stream), lines, raw };
}

function appWith(log: pino.Logger): Hono {
  const app = new Hono();
  app.use('*', requestId());
  app.use('*', requestLog(log));
  app.get('/api/v1/models/:name', (c) => c.json({ name: c.req.param('name') }));
  app.post('/api/v1/predictions/batch', (c) => c.json({ ok: true }));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/fail', () => {
    throw new Error('database exploded');
  });
  app.onError((_error, c) => c.text('failed', 500));
  return app;
}

describe('request logging', () => {
  it('writes one JSON line per request with method, route, path, status, duration and the request id', async () => {
    const { log, lines } = capture();
    const res = await appWith(log).request('/api/v1/models/fish');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request',
      method: 'GET',
      route: '/api/v1/models/:name',
      path: '/api/v1/models/fish',
      status: 200,
      requestId: res.headers.get('X-Request-Id'),
    });
    expect(lines[0]!.durationMs).toEqual(expect.any(Number));
  });

  it('keeps the request id a client sent, so one id follows a request across services', async () => {
    const { log, lines } = capture();
    await appWith(log).request('/api/v1/models/fish', {
      headers: { 'X-Request-Id': 'trace-abc-123' },
    });
    expect(lines[0]).toMatchObject({ requestId: 'trace-abc-123' });
  });

  it('logs health probes at debug level only, so probes every few seconds do not flood info logs', async () => {
    const info = capture('info');
    await appWith(info.log).request('/healthz');
    expect(info.lines).toHaveLength(0);
    const debug = capture('debug');
    await appWith(debug.log).request('/healthz');
    expect(debug.lines[0]).toMatchObject({ level: 20, route: '/healthz', status: 200 });
  });

  it('never writes bearer tokens, admin tokens, cookies or query strings', async () => {
    const { log, raw } = capture('trace');
    const app = appWith(log);
    await app.request('/api/v1/predictions/batch?token=query-secret-1234', {
      method: 'POST',
      headers: {
        Authorization: 'Bearer device-secret-abcdefghijklmnopqrstuvwxyz0123456',
        Cookie: 'session=cookie-secret',
        'X-Admin-Token': 'admin-secret-0123456789',
      },
      body: JSON.stringify({ token: 'body-secret' }),
    });
    const written = raw.join('');
    expect(written).toContain('/api/v1/predictions/batch');
    for (const secret of [
      'query-secret',
      'device-secret',
      'cookie-secret',
      'admin-secret',
      'body-secret',
    ]) {
      expect(written).not.toContain(secret);
    }
  });

  it('logs failed requests at error level with the status the error handler answered', async () => {
    const { log, lines } = capture();
    await appWith(log).request('/fail');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      status: 500,
      route: '/fail',
      msg: 'request failed',
    });
  });
});
