/**
 * The prediction log's schema upgrade from version 1 (pack versions as strings, thumbnails as
 * data: URLs) to version 2 (numbers and Blobs, like the rest of the app).
 */
import type { IDBPTransaction, StoreNames } from 'idb';
import type { LogSchema } from './prediction-log-schema';

/**
 * Version 1 logged pack versions as strings ("3") and thumbnails as data: URLs; version 2 keeps
 * versions as numbers, like the rest of the app, and thumbnails as Blobs. Synchronous conversions
 * only: the upgrade transaction closes at the first await on anything but itself.
 */
export async function upgradeEntriesToV2(
  tx: IDBPTransaction<LogSchema, StoreNames<LogSchema>[], 'versionchange'>,
): Promise<void> {
  let cursor = await tx.objectStore('predictions').openCursor();
  while (cursor) {
    const old = cursor.value as unknown as {
      model: { name: string; version: unknown };
      thumbnail?: unknown;
    };
    const entry = { ...cursor.value };
    if (typeof old.model.version === 'string' && /^[1-9][0-9]{0,9}$/.test(old.model.version))
      entry.model = { name: old.model.name, version: Number(old.model.version) };
    if (typeof old.thumbnail === 'string') {
      const thumbnail = dataUrlToBlob(old.thumbnail);
      if (thumbnail) entry.thumbnail = thumbnail;
      else delete entry.thumbnail;
    }
    await cursor.update(entry);
    cursor = await cursor.continue();
  }
}

function dataUrlToBlob(url: string): Blob | undefined {
  const match = /^data:([^;,]+);base64,(.*)$/.exec(url);
  if (!match) return undefined;
  try {
    const bytes = Uint8Array.from(atob(match[2]!), (c) => c.charCodeAt(0));
    return new Blob([bytes], { type: match[1] });
  } catch {
    return undefined;
  }
}
