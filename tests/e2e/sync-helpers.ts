/**
 * Helpers for the sync end-to-end tests: predictions put into the app's IndexedDB outbox as the
 * app stores them, what PostgreSQL holds, and a loopback proxy that can lose responses.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, type Page } from '@playwright/test';
import pg from 'pg';
import { makePrediction } from '../../server/ingest/testing/ingest-app.js';

/**
 * A pending outbox entry as src/storage/prediction-log.ts stores it: the prediction a device
 * sends, plus its delivery state.
 */
export function outboxEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...makePrediction({
      createdAt: new Date(Date.now() - 3_600_000).toISOString(),
      model: { name: 'fish', version: 1 },
    }),
    state: 'pending',
    ...overrides,
  };
}

/**
 * Writes `entries` and the species lists `packs` into the log of the open page (the app created
 * the database on start) and tells the app's screens, as the app itself does after a change.
 */
export async function seedLog(
  page: Page,
  entries: Record<string, unknown>[],
  packs: { name: string; version: number; labels: unknown[] }[],
): Promise<void> {
  await page.waitForFunction(async () =>
    (await indexedDB.databases()).some(
      (db) => db.name === 'fishlens-log' && (db.version ?? 0) >= 2,
    ),
  );
  await page.evaluate(
    async ({ rows, packs }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('fishlens-log');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error ?? new Error('open failed'));
      });
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(['predictions', 'labels'], 'readwrite');
        for (const { thumbnailBytes, ...row } of rows as { thumbnailBytes?: number[] }[]) {
          const thumbnail = thumbnailBytes
            ? new Blob([new Uint8Array(thumbnailBytes)], { type: 'image/png' })
            : undefined;
          tx.objectStore('predictions').put(thumbnail ? { ...row, thumbnail } : row);
        }
        for (const pack of packs) tx.objectStore('labels').put(pack);
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error('write failed'));
      });
      db.close();
      const channel = new BroadcastChannel('fishlens-log');
      channel.postMessage('changed');
      channel.close();
    },
    { rows: entries, packs },
  );
}

/** The prediction `id` as the app's log holds it now (undefined when deleted). */
export function loggedEntry(
  page: Page,
  id: string,
): Promise<{ state: string; feedback?: { label: string } } | undefined> {
  return page.evaluate(
    (id) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('fishlens-log');
        open.onerror = () => reject(open.error ?? new Error('open failed'));
        open.onsuccess = () => {
          const get = open.result.transaction('predictions').objectStore('predictions').get(id);
          get.onsuccess = () => {
            open.result.close();
            resolve(get.result as { state: string; feedback?: { label: string } } | undefined);
          };
          get.onerror = () => reject(get.error ?? new Error('read failed'));
        };
      }),
    id,
  );
}

/**
 * On /status (an empty outbox), writes `entries` into the outbox, as predictions made while the
 * sync was not looking, and waits until the Status screen counts them. Returns their ids.
 */
export async function seedOutbox(
  page: Page,
  entries: Record<string, unknown>[],
): Promise<string[]> {
  await page.locator('[data-testid="outbox"]').waitFor();
  await seedLog(page, entries, []);
  const pending = entries.filter((e) => e.state === 'pending').length;
  await expect(page.locator('[data-testid="outbox"]')).toHaveAttribute(
    'data-pending',
    String(pending),
  );
  return entries.map((e) => e.id as string);
}

/** Fires the app's "back online" trigger in `page` (sync now, skipping any backoff wait). */
export async function nudgeSync(page: Page): Promise<void> {
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
}

/** How many rows PostgreSQL holds for each of `ids` (a missing id is 0, a doubled one 2). */
export async function rowsFor(databaseUrl: string, ids: string[]): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; n: number }>(
      'SELECT id::text AS id, count(*)::int AS n FROM predictions WHERE id = ANY($1::uuid[]) GROUP BY id',
      [ids],
    );
    const counts = new Map(ids.map((id) => [id, 0]));
    for (const row of rows) counts.set(row.id, row.n);
    return counts;
  } finally {
    await client.end();
  }
}

/** The feedback label PostgreSQL holds for prediction `id` (null when none, or no row). */
export async function feedbackOf(databaseUrl: string, id: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ label: string | null }>(
      'SELECT feedback_label AS label FROM predictions WHERE id = $1',
      [id],
    );
    return rows[0]?.label ?? null;
  } finally {
    await client.end();
  }
}

/** Summary of rowsFor: `{ stored, missing, doubled }`. */
export async function storedSummary(databaseUrl: string, ids: string[]) {
  const counts = [...(await rowsFor(databaseUrl, ids)).values()];
  return {
    stored: counts.filter((n) => n >= 1).length,
    missing: counts.filter((n) => n === 0).length,
    doubled: counts.filter((n) => n > 1).length,
  };
}

export interface LossyProxy {
  url: string;
  /** Batch requests seen, with the upstream answer (also for the lost ones). */
  batches: { status: number; body: string; dropped: boolean }[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy to `target` that forwards everything, but for the first `drop` batch
 * requests lets the server answer (and commit) and then destroys the connection to the client
 * instead of passing the answer on.
 */
export async function lossyProxy(target: string, drop: number): Promise<LossyProxy> {
  const upstream = new URL(target);
  const batches: LossyProxy['batches'] = [];
  let dropped = 0;
  const server: Server = createServer((req, res) => {
    const isBatch = req.method === 'POST' && req.url === '/api/v1/predictions/batch';
    const forward = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        if (!isBatch) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const drop_ = dropped < drop;
          batches.push({ status: answer.statusCode ?? 0, body, dropped: drop_ });
          if (drop_) {
            dropped += 1;
            req.socket.destroy(); // the server committed; the phone never hears of it
          } else {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(body);
          }
        });
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    batches,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
