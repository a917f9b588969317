/**
 * The app's own "Install app" offer. Chromium fires `beforeinstallprompt` while the app is
 * installable and not installed; we keep the event (it may fire before the UI mounts) and show
 * it on demand. The offer is withheld where installing cannot work or makes no sense: offline
 * (the browser fetches the manifest's icons to install), inside the installed app (display-mode
 * standalone, where the event never fires but an event kept from before could linger), after
 * `appinstalled`, and once the person said "Not now" on this device.
 */
import { useEffect, useState } from 'preact/hooks';
import { useOnline } from './hooks/use-online';

/** Chromium's event (not in the DOM typings). */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed'; platform: string }>;
}

const DISMISSED_KEY = 'fishlens.installDismissed';

let deferred: BeforeInstallPromptEvent | null = null;
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());

window.addEventListener('beforeinstallprompt', (event) => {
  // Keep the mini-infobar away; our button offers the install instead.
  event.preventDefault();
  deferred = event as BeforeInstallPromptEvent;
  notify();
});
window.addEventListener('appinstalled', () => {
  deferred = null;
  notify();
});

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

const offerable = () => deferred !== null && !runsInstalled() && !dismissed();

/** Whether to offer installing now, the action that shows the browser's dialog, and "Not now". */
export function useInstallPrompt(): {
  canInstall: boolean;
  install: () => Promise<void>;
  dismiss: () => void;
} {
  const online = useOnline();
  const [available, setAvailable] = useState(offerable);
  useEffect(() => {
    const update = () => setAvailable(offerable());
    listeners.add(update);
    update();
    return () => void listeners.delete(update);
  }, []);
  return {
    canInstall: available && online,
    install: async () => {
      const event = deferred;
      if (!event) return;
      deferred = null; // a prompt event can be used once
      notify();
      await event.prompt();
      await event.userChoice;
    },
    dismiss: () => {
      try {
        localStorage.setItem(DISMISSED_KEY, '1');
      } catch {
        /* private mode: the offer stays away for this visit only */
      }
      deferred = null;
      notify();
    },
  };
}
