import { useI18n } from '../i18n';

/** The Status screen. */
export function StatusScreen() {
  const { t } = useI18n();
  return (
    <section aria-labelledby="status-title">
      <h1 id="status-title">{t('status.title')}</h1>
    </section>
  );
}
