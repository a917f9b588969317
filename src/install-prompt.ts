/**
 * The app's own "Install app" offer. Chromium fires `beforeinstallprompt` while the app is
 * installable and not installed; we keep the event (it may fire before the UI mounts) and show
 * it on demand. The offer is withheld where installing cannot work or makes no sense: offline
 * (the browser fetches the manifest's icons to install), inside the installed app (display-mode
 * standalone, where the event never fires but an event kept from before could linger), after
 * `appinstalled`, and once the person said "Not now" on this device.
 */
import { createStore, useStore } from './hooks/store';
import { useOnline } from './hooks/use-online';

/** Chromium's event (not in the DOM typings). */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed'; platform: string }>;
}

const DISMISSED_KEY = 'fishlens.installDismissed';

/** The browser's install event while it can be used (once). */
const deferred = createStore<BeforeInstallPromptEvent | null>(null);

window.addEventListener('beforeinstallprompt', (event) => {
  // Keep the mini-infobar away; our button offers the install instead.
  event.preventDefault();
  deferred.set(event as BeforeInstallPromptEvent);
});
window.addEventListener('appinstalled', () => deferred.set(null));

/** True inside the installed app's own window. */
function runsInstalled(): boolean {
  return (
    ['standalone', 'fullscreen', 'minimal-ui', 'window-controls-overlay'].some(
      (mode) => window.matchMedia?.(`(display-mode: ${mode})`).matches,
    ) || (navigator as { standalone?: boolean }).standalone === true
  );
}

function dismissed(): boolean {
  try {
    return localStorage.getItem(DISMISSED_KEY) === '1';
  } catch {
    return false;
  }
}

/** Whether to offer installing now, the action that shows the browser's dialog, and "Not now". */
export function useInstallPrompt(): {
  canInstall: boolean;
  install: () => Promise<void>;
  dismiss: () => void;
} {
  const online = useOnline();
  const event = useStore(deferred);
  const available = event !== null && !runsInstalled() && !dismissed();
  return {
    canInstall: available && online,
    install: async () => {
      const current = deferred.get();
      if (!current) return;
      deferred.set(null); // a prompt event can be used once
      await current.prompt();
      await current.userChoice;
    },
    dismiss: () => {
      try {
        localStorage.setItem(DISMISSED_KEY, '1');
      } catch {
        /* private mode: the offer stays away for this visit only */
      }
      deferred.set(null);
    },
  };
}
