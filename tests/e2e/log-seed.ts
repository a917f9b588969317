/**
 * Predictions put into the app's IndexedDB log exactly as src/storage/prediction-log.ts stores
 * them (entries, thumbnails as Blobs, the species of each pack version), for the History and
 * Status specs: what a person would have after identifying these photos.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ROOT } from '../support/test-packs.js';
import { outboxEntry } from './sync-helpers.js';

export interface SeedLabel {
  id: string;
  latin: string;
  names: Record<string, string>;
}

/** The species of a committed demo pack, from its metadata.json. */
export function demoLabels(name: string): SeedLabel[] {
  const path = join(ROOT, 'models/demo', name, 'metadata.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { labels: SeedLabel[] }).labels;
}

/** A logged prediction (pending unless `state` says otherwise); `thumbnail` is a file to attach. */
export function loggedPrediction(
  overrides: Record<string, unknown> & { thumbnail?: string } = {},
): Record<string, unknown> {
  const { thumbnail, ...rest } = overrides;
  return {
    ...outboxEntry({ model: { name: 'river-fish', version: 1 } }),
    top: [
      { label: 'bream', probability: 0.81 },
      { label: 'perch', probability: 0.12 },
      { label: 'burbot', probability: 0.04 },
    ],
    latencyMs: 83,
    backend: 'wasm',
    ...(thumbnail ? { thumbnailBytes: [...readFileSync(thumbnail)] } : {}),
    ...rest,
  };
}

/**
 * Writes `entries` and the species lists `packs` into the log of the open page (the app created
 * the database on start) and tells the app's screens, as the app itself does after a change.
 */
export async function seedLog(
  page: Page,
  entries: Record<string, unknown>[],
  packs: { name: string; version: number; labels: SeedLabel[] }[],
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

/** Opens the app in `locale` for this page (as a person's saved language choice). */
export async function inLocale(page: Page, locale: 'en' | 'ru'): Promise<void> {
  await page.addInitScript((locale) => localStorage.setItem('fishlens.locale', locale), locale);
}
