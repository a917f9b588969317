import { useI18n } from '../i18n';

/** The History screen. */
export function HistoryScreen() {
  const { t } = useI18n();
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">{t('history.title')}</h1>
    </section>
  );
}
