import { useI18n } from '../i18n';

/** "Install app": shown only while the browser allows installing (beforeinstallprompt). */
export function InstallButton(props: { onInstall: () => void }) {
  const { t } = useI18n();
  return (
    <button
      type="button"
      class="install-button"
      data-testid="install-button"
      onClick={props.onInstall}
    >
      {t('install.button')}
    </button>
  );
}
