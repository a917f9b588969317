import { useI18n } from '../i18n';

/**
 * "Install app", offered quietly at the end of the Identify screen, only while the browser can
 * install (see install-prompt.ts); "Not now" puts it away on this device.
 */
export function InstallOffer(props: { onInstall: () => void; onDismiss: () => void }) {
  const { t } = useI18n();
  return (
    <aside class="install-offer" data-testid="install-offer" aria-labelledby="install-offer-text">
      <p id="install-offer-text">{t('identify.install.text')}</p>
      <div class="install-actions">
        <button
          type="button"
          class="install-button"
          data-testid="install-button"
          onClick={props.onInstall}
        >
          {t('install.button')}
        </button>
        <button type="button" class="link-button" onClick={props.onDismiss}>
          {t('identify.install.notNow')}
        </button>
      </div>
    </aside>
  );
}
