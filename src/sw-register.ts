import { Workbox } from 'workbox-window';

export interface ServiceWorkerHandle {
  /** Activates the waiting service worker; the page reloads once it controls the page. */
  applyUpdate(): void;
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
  };
}
