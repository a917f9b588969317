/**
 * The app's own "Install app" button: Chromium fires `beforeinstallprompt` when the app is
 * installable; we keep the event (it may fire before the UI mounts) and show it on demand.
 */
import { useEffect, useState } from 'preact/hooks';

/** Chromium's event (not in the DOM typings). */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed'; platform: string }>;
}

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

/** Whether the browser currently allows installing, and the action that shows its dialog. */
export function useInstallPrompt(): { canInstall: boolean; install: () => Promise<void> } {
  const [canInstall, setCanInstall] = useState(deferred !== null);
  useEffect(() => {
    const update = () => setCanInstall(deferred !== null);
    listeners.add(update);
    update();
    return () => void listeners.delete(update);
  }, []);
  return {
    canInstall,
    install: async () => {
      const event = deferred;
      if (!event) return;
      deferred = null; // a prompt event can be used once
      notify();
      await event.prompt();
      await event.userChoice;
    },
  };
}
