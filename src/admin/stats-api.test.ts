import { describe, expect, it } from 'vitest';
import { fetchStats, loadAdminToken, saveAdminToken, StatsError } from './stats-api';

const NOW = new Date('2026-06-15T12:00:00Z');
const body = {
  model: 'fish',
  from: '2026-06-08T12:00:00.000Z',
  to: NOW.toISOString(),
  versions: [],
};

function answering(status: number, json: unknown) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetchImpl = ((url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return Promise.resolve(new Response(JSON.stringify(json), { status }));
  }) as typeof fetch;
  return { calls, fetchImpl };
}

describe('fetchStats', () => {
  it('asks for the window ending now with the admin token as a bearer token', async () => {
    const { calls, fetchImpl } = answering(200, body);
    expect(
      await fetchStats('secret-admin-token', { model: 'fish', days: 7 }, undefined, fetchImpl, NOW),
    ).toEqual(body);
    const url = new URL(calls[0]!.url, 'http://x');
    expect(url.pathname).toBe('/api/v1/stats');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      model: 'fish',
      from: '2026-06-08T12:00:00.000Z',
      to: '2026-06-15T12:00:00.000Z',
    });
    expect((calls[0]!.init!.headers as Record<string, string>).Authorization).toBe(
      'Bearer secret-admin-token',
    );
  });

  it.each([
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [500, 'http'],
  ])('turns HTTP %i into the code %s', async (status, code) => {
    const { fetchImpl } = answering(status, { title: 'x' });
    await expect(fetchStats('t', { days: 7 }, undefined, fetchImpl, NOW)).rejects.toMatchObject({
      code,
      status,
    });
  });

  it('refuses an answer that is not the stats schema', async () => {
    const { fetchImpl } = answering(200, { versions: 'no' });
    await expect(fetchStats('t', { days: 7 }, undefined, fetchImpl, NOW)).rejects.toMatchObject({
      code: 'bad-response',
    });
  });

  it('reports a network failure as "network" but lets a cancellation through unchanged', async () => {
    const failing = (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch;
    await expect(fetchStats('t', { days: 7 }, undefined, failing)).rejects.toBeInstanceOf(
      StatsError,
    );
    const abort = new DOMException('aborted', 'AbortError');
    const aborted = (() => Promise.reject(abort)) as typeof fetch;
    await expect(fetchStats('t', { days: 7 }, undefined, aborted)).rejects.toBe(abort);
  });
});

describe('the admin token on this device', () => {
  it('is kept after it is entered once and gone after "forget"', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    };
    expect(loadAdminToken(storage)).toBeNull();
    saveAdminToken('secret-admin-token', storage);
    expect(loadAdminToken(storage)).toBe('secret-admin-token');
    saveAdminToken(null, storage);
    expect(loadAdminToken(storage)).toBeNull();
  });
});
