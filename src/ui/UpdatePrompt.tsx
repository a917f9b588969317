import { useI18n } from '../i18n';

/** "Update available — reload": shown when a new app version waits; never reloads on its own. */
export function UpdatePrompt(props: { onReload: () => void; onDismiss: () => void }) {
  const { t } = useI18n();
  return (
    <div class="update-prompt" role="alert" data-testid="update-prompt">
      <span>{t('update.available')}</span>
      <button type="button" class="primary" onClick={props.onReload}>
        {t('update.reload')}
      </button>
      <button type="button" onClick={props.onDismiss}>
        {t('update.later')}
      </button>
    </div>
  );
}
