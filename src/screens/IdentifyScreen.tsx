import { useI18n } from '../i18n';

/** The Identify screen. */
export function IdentifyScreen() {
  const { t } = useI18n();
  return (
    <section aria-labelledby="identify-title">
      <h1 id="identify-title">{t('identify.title')}</h1>
    </section>
  );
}
