/**
 * The fault suite: real servers (`tsx server/main.ts` in a child process) on real PostgreSQL or
 * the embedded PGlite, phones that delete only what was acknowledged (phone.ts), and one fault
 * per scenario while they sync. For each scenario it counts what was sent, acknowledged and
 * stored, and what was lost (acknowledged but not stored) or duplicated (stored twice); lost and
 * duplicated must be 0. The table is printed as JSON at the end and written to
 * .cache/faults.json.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPglite } from '../../server/db/pglite.js';
import { startFishlens, type FishlensServer } from '../support/fishlens-server.js';
import { startTcpProxy, throughProxy } from '../support/tcp-proxy.js';
import { Phone } from './phone.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PHONES = 4;
const PER_PHONE = 250;
/** Entries per batch, as phone.ts sends them. */
const BATCH = 50;

interface Row {
  scenario: string;
  database: 'postgres' | 'pglite';
  sent: number;
  acknowledged: number;
  stored: number;
  lost: number;
  duplicated: number;
  rejected: number;
  retries: number;
  /** Batch requests the phones had open when the server was killed. */
  inFlightAtFault?: number;
}
const table: Row[] = [];

/** The stored rows of these devices: (device, id) pairs, counting repeats. */
async function storedRows(server: FishlensServer, devices: string[]): Promise<string[]> {
  const sql = `SELECT device_id::text AS d, id::text AS i FROM predictions WHERE device_id = ANY($1::uuid[])`;
  if (server.databaseUrl) {
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ d: string; i: string }>(sql, [devices]);
      return rows.map((r) => `${r.d}/${r.i}`);
    } finally {
      await client.end();
    }
  }
  await server.stop(); // PGlite: one process per folder
  const db = await openPglite(join(server.dataDir, 'pglite'));
  try {
    const { rows } = await db.query<{ d: string; i: string }>(sql, [devices]);
    return rows.map((r) => `${r.d}/${r.i}`);
  } finally {
    await db.close();
  }
}

/** Counts one scenario into the table and checks that nothing was lost or stored twice. */
async function account(
  scenario: string,
  server: FishlensServer,
  phones: Phone[],
  inFlightAtFault?: number,
) {
  const rows = await storedRows(
    server,
    phones.map((p) => p.deviceId),
  );
  const stored = new Set(rows);
  const acknowledged = phones.flatMap((p) =>
    [...p.acknowledged].map((id) => `${p.deviceId}/${id}`),
  );
  const row: Row = {
    scenario,
    database: server.databaseUrl ? 'postgres' : 'pglite',
    sent: phones.reduce((n, p) => n + p.sent, 0),
    acknowledged: acknowledged.length,
    stored: stored.size,
    lost: acknowledged.filter((key) => !stored.has(key)).length,
    duplicated: rows.length - stored.size,
    rejected: phones.reduce((n, p) => n + p.deadLetters.size, 0),
    retries: phones.reduce((n, p) => n + p.retries, 0),
    ...(inFlightAtFault === undefined ? {} : { inFlightAtFault }),
  };
  table.push(row);
  expect(row.lost).toBe(0);
  expect(row.duplicated).toBe(0);
  expect(phones.every((p) => p.outbox.size === 0)).toBe(true);
  expect(row.acknowledged + row.rejected).toBe(row.sent);
  return row;
}

function phonesOf(url: () => string, invalid = 0): Phone[] {
  return Array.from({ length: PHONES }, () => {
    const phone = new Phone(url);
    phone.log(PER_PHONE, invalid);
    return phone;
  });
}

/** Resolves once the phones together have `count` acknowledged entries. */
async function acknowledgedAtLeast(phones: Phone[], count: number, deadline: number) {
  while (phones.reduce((n, p) => n + p.acknowledged.size, 0) < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} acknowledged in time`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const minutesFromNow = (m: number) => Date.now() + m * 60_000;

describe('faults: no acknowledged prediction lost, none stored twice', { timeout: 300_000 }, () => {
  beforeAll(() => {
    const adminUrl = inject('postgresAdminUrl');
    if (adminUrl) process.env.POSTGRES_ADMIN_URL = adminUrl;
  });
  afterAll(() => {
    const json = JSON.stringify(table, null, 2);
    mkdirSync(join(ROOT, '.cache'), { recursive: true });
    writeFileSync(join(ROOT, '.cache/faults.json'), `${json}\n`);
    console.log(`fault suite:\n${json}`);
  });

  const withServer = async (
    options: Parameters<typeof startFishlens>[0],
    run: (server: FishlensServer) => Promise<void>,
  ) => {
    const server = await startFishlens({ timeoutMs: 120_000, ...options });
    try {
      await run(server);
    } finally {
      await server.dispose();
    }
  };

  let inFlight: number | undefined;
  for (const embedded of [false, true]) {
    it(`kill -9 while batches are in flight, then restart (${embedded ? 'PGlite' : 'PostgreSQL'})`, async (ctx) => {
      if (!embedded && !process.env.POSTGRES_ADMIN_URL) ctx.skip();
      await withServer({ embedded }, async (server) => {
        const phones = phonesOf(() => server.url);
        const deadline = minutesFromNow(4);
        const syncing = phones.map((p) => p.syncUntilEmpty(deadline));
        await acknowledgedAtLeast(phones, (PHONES * PER_PHONE) / 3, deadline);
        inFlight = phones.reduce((n, p) => n + p.inFlight, 0);
        await server.kill();
        await server.restart();
        await Promise.all(syncing);
        await account(`kill -9 mid-batch and restart`, server, phones, inFlight);
      });
    });
  }

  it('answers lost on the way back: every other batch commits but the phone never hears', async () => {
    await withServer({}, async (server) => {
      let batches = 0;
      const proxy = createServer((req, res) => {
        const drop = req.url === '/api/v1/predictions/batch' && batches++ % 2 === 0;
        const target = new URL(server.url);
        const forward = httpRequest(
          {
            hostname: target.hostname,
            port: target.port,
            path: req.url,
            method: req.method,
            headers: req.headers,
          },
          (answer) => {
            if (drop) {
              answer.resume();
              answer.on('end', () => req.socket.destroy());
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => res.destroy());
        req.pipe(forward);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      try {
        const phones = phonesOf(() => url);
        await Promise.all(phones.map((p) => p.syncUntilEmpty(minutesFromNow(4))));
        expect(batches).toBeGreaterThan(PHONES * (PER_PHONE / 50));
        await account('answers lost, batches resent', server, phones);
      } finally {
        proxy.closeAllConnections();
        await new Promise<void>((resolve) => proxy.close(() => resolve()));
      }
    });
  });

  it('PostgreSQL unreachable mid-sync, then back', async (ctx) => {
    const adminUrl = process.env.POSTGRES_ADMIN_URL;
    if (!adminUrl) ctx.skip();
    const target = new URL(adminUrl!);
    const db = await startTcpProxy(target.hostname, Number(target.port || 5432));
    try {
      await withServer({ databaseUrl: (url) => throughProxy(url, db) }, async (server) => {
        const phones = phonesOf(() => server.url);
        const deadline = minutesFromNow(1);
        const syncing = phones.map((p) => p.syncUntilEmpty(deadline));
        await acknowledgedAtLeast(phones, (PHONES * PER_PHONE) / 3, deadline);
        db.cut();
        const retriesAtCut = phones.reduce((n, p) => n + p.retries, 0);
        // Down until the phones have been refused a while, then back.
        while (phones.reduce((n, p) => n + p.retries, 0) < retriesAtCut + 3 * PHONES) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        db.restore();
        await Promise.all(syncing).catch((e) => {
          console.log(server.output().split('\n').slice(-30).join('\n'));
          throw e;
        });
        await account('PostgreSQL cut mid-sync, restored', server, phones);
      });
    } finally {
      await db.close();
    }
  });

  it('the embedded data folder swapped mid-sync, server restarted on the original', async () => {
    await withServer({ embedded: true }, async (server) => {
      const phones = phonesOf(() => server.url);
      const deadline = minutesFromNow(4);
      const syncing = phones.map((p) => p.syncUntilEmpty(deadline));
      await acknowledgedAtLeast(phones, (PHONES * PER_PHONE) / 3, deadline);
      const folder = join(server.dataDir, 'pglite');
      renameSync(folder, `${folder}.away`);
      mkdirSync(folder);
      const ackedAtSwap = phones.reduce((n, p) => n + p.acknowledged.size, 0);
      const retriesAtSwap = phones.reduce((n, p) => n + p.retries, 0);
      while (phones.reduce((n, p) => n + p.retries, 0) < retriesAtSwap + 3 * PHONES) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Refused, not acknowledged, while the folder was not the server's own; at most the
      // batch each phone had in flight, committed before the folder moved, is answered.
      expect(phones.reduce((n, p) => n + p.acknowledged.size, 0)).toBeLessThanOrEqual(
        ackedAtSwap + PHONES * BATCH,
      );
      await server.stop();
      renameSync(folder, `${folder}.empty`);
      renameSync(`${folder}.away`, folder);
      await server.restart();
      await Promise.all(syncing);
      await account('data folder swapped, restarted on the original', server, phones);
    });
  });

  it('the same batch from 8 connections at once, and invalid entries in every batch', async () => {
    await withServer({}, async (server) => {
      const phones = phonesOf(() => server.url, 10);
      const [first] = phones;
      await first!.register(minutesFromNow(1));
      // Eight copies of the first phone race with the same outbox and token.
      const copies = Array.from({ length: 8 }, () => first!);
      await Promise.all([
        ...copies.map((p) => p.syncUntilEmpty(minutesFromNow(4))),
        ...phones.slice(1).map((p) => p.syncUntilEmpty(minutesFromNow(4))),
      ]);
      const row = await account(
        '8 concurrent copies of a batch, 10 invalid per phone',
        server,
        phones,
      );
      expect(row.rejected).toBe(PHONES * 10);
    });
  });

  it('rate limited: phones wait as told and send again', async () => {
    // One request a second per device, and each phone syncing on two connections at once: the
    // second of two simultaneous requests always finds the bucket empty.
    await withServer(
      { env: { INGEST_RATE_PER_MINUTE: '60', INGEST_RATE_BURST: '1' } },
      async (server) => {
        const phones = phonesOf(() => server.url);
        const deadline = minutesFromNow(4);
        await Promise.all(phones.map((p) => p.register(deadline)));
        await Promise.all(
          phones.flatMap((p) => [p.syncUntilEmpty(deadline), p.syncUntilEmpty(deadline)]),
        );
        const row = await account('rate limited (429, Retry-After)', server, phones);
        expect(row.retries).toBeGreaterThan(0);
      },
    );
  });
});
