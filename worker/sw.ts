/// <reference lib="webworker" />
import '../shared/zod-jitless';
import { cacheNames, clientsClaim, setCacheNameDetails } from 'workbox-core';
import {
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { BACKGROUND_SYNC_TAG, syncOutboxInBackground } from '../src/sync/background';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<{ url: string; revision: string | null }>;
};

/**
 * Version of the cache layout. Bump it when the meaning of a cache changes; on activate every
 * `fishlens-*` cache that is not one of this version's is deleted. The precache itself is also
 * versioned per file by the build (Workbox revisions), so a new build only fetches what changed.
 */
const CACHE_VERSION = 'v1';
setCacheNameDetails({ prefix: 'fishlens', suffix: CACHE_VERSION });

const manifest = self.__WB_MANIFEST;

/** This build's identity: a hash of the precache manifest (every asset URL and revision). */
const BUILD_ID = (() => {
  let hash = 0x811c9dc5; // FNV-1a, enough to tell two builds apart
  for (const { url, revision } of manifest) {
    for (const ch of `${url}@${revision ?? ''};`)
      hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
})();

// The app shell, its hashed assets, and the TF.js code and WASM binaries (the build puts them
// under /assets/, and vite.config.ts's globPatterns include .wasm), so the app opens and
// identifies offline after the first visit.
precacheAndRoute(manifest);
cleanupOutdatedCaches();

// The first visit is controlled at once; later versions wait for the user (see 'message').
clientsClaim();

// Every page navigation gets the cached app shell, so /history opens offline too. The API (and
// so the model registry and its files) is never answered from here: installed model packs live
// in IndexedDB (src/storage/model-packs.ts), checked by sha256 before use.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/api\//, /^\/healthz/, /^\/readyz/],
  }),
);

// Stale caches: anything ours that is not a cache of this version (older CACHE_VERSIONs).
self.addEventListener('activate', (event) => {
  const keep = new Set([cacheNames.precache, cacheNames.runtime]);
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith('fishlens-') && !keep.has(name))
            .map((name) => caches.delete(name)),
        ),
      ),
  );
});

self.addEventListener('message', (event) => {
  const type = (event.data as { type?: string } | null)?.type;
  // A new version waits until the user accepts the update prompt (src/sw-register.ts).
  if (type === 'SKIP_WAITING') void self.skipWaiting();
  // The page asks which build serves it (the e2e tests tell builds apart by it).
  if (type === 'GET_VERSION')
    event.ports[0]?.postMessage({ build: BUILD_ID, cacheVersion: CACHE_VERSION });
});

// Background Sync: when the page could not finish a sync (offline, server down), the browser
// wakes this worker once a network is back, even if Fishlens has been closed since. A rejected promise makes
// the browser retry later with its own backoff.
interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
}
self.addEventListener('sync', (event) => {
  const sync = event as SyncEvent;
  if (sync.tag !== BACKGROUND_SYNC_TAG) return;
  sync.waitUntil(
    (async () => {
      // An open Fishlens tab runs its own sync engine, with backoff and Retry-After; a second
      // sender here would ignore both. Background Sync is for when no tab is open.
      // Uncontrolled too: on a first visit the page may not be claimed yet when the event fires.
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      if (windows.length === 0) await syncOutboxInBackground();
    })(),
  );
});
