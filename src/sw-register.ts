import { Workbox } from 'workbox-window';

export interface ServiceWorkerHandle {
  /** Activates the waiting service worker; the page reloads once it controls the page. */
  applyUpdate(): void;
  /** Asks the browser to look for a new service worker now (it also does on every navigation). */
  checkForUpdate(): Promise<void>;
}

/**
 * Registers /sw.js through workbox-window. `onUpdateWaiting` fires when a new version is
 * installed and waiting (also when one was already waiting at page load); it only activates when
 * the user accepts, so nobody is reloaded in the middle of identifying a fish.
 */
export function registerServiceWorker(callbacks: {
  onUpdateWaiting(): void;
  onOfflineReady(): void;
}): ServiceWorkerHandle | null {
  if (!('serviceWorker' in navigator)) return null;
  const wb = new Workbox('/sw.js', { scope: '/', type: 'module' });
  wb.addEventListener('waiting', () => callbacks.onUpdateWaiting());
  wb.addEventListener('installed', (event) => {
    if (!event.isUpdate) callbacks.onOfflineReady();
  });
  wb.register().catch((error: unknown) => {
    console.warn('Service worker registration failed; the app works but not offline.', error);
  });
  let reloading = false;
  return {
    applyUpdate() {
      wb.addEventListener('controlling', () => {
        if (reloading) return;
        reloading = true;
        window.location.reload();
      });
      wb.messageSkipWaiting();
    },
    async checkForUpdate() {
      await wb.update();
    },
  };
}

/** The build id of the service worker controlling this page (see worker/sw.ts), or null. */
export async function serviceWorkerBuild(): Promise<{
  build: string;
  cacheVersion: string;
} | null> {
  const controller = navigator.serviceWorker?.controller;
  if (!controller) return null;
  const channel = new MessageChannel();
  const reply = new Promise<{ build: string; cacheVersion: string }>((resolve) => {
    channel.port1.onmessage = (event: MessageEvent<{ build: string; cacheVersion: string }>) =>
      resolve(event.data);
  });
  controller.postMessage({ type: 'GET_VERSION' }, [channel.port2]);
  return reply;
}
