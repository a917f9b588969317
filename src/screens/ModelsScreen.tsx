import { useI18n } from '../i18n';

/** The Models screen. */
export function ModelsScreen() {
  const { t } = useI18n();
  return (
    <section aria-labelledby="models-title">
      <h1 id="models-title">{t('models.title')}</h1>
    </section>
  );
}
