import { Workbox } from 'workbox-window';

export interface ServiceWorkerHandle {
  /** Activates the waiting service worker; the page reloads once it controls the page. */
  applyUpdate(): void;
}

/**
 * Registers /sw.js through workbox-window. `onUpdateWaiting` fires when a new version is
 * installed and waiting; it only activates when the user accepts (no reload mid-use).
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
  return {
    applyUpdate() {
      wb.addEventListener('controlling', () => window.location.reload());
      wb.messageSkipWaiting();
    },
  };
}
