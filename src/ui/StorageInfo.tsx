import { useI18n } from '../i18n';
import { formatBytes } from './format';

/** What the browser reports about storage: usage, quota, and whether it is persistent. */
export interface StorageView {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
}

/** Storage usage and quota, with a button to ask for persistent storage when it is not granted. */
export function StorageInfo({
  storage,
  onPersist,
}: {
  storage: StorageView;
  onPersist: () => void;
}) {
  const { t, locale } = useI18n();
  return (
    <section class="storage-info" aria-labelledby="storage-title" data-testid="storage-info">
      <h2 id="storage-title">{t('storage.title')}</h2>
      <p>
        {storage.usage !== null && storage.quota !== null
          ? t('storage.usage', {
              usage: formatBytes(storage.usage, locale),
              quota: formatBytes(storage.quota, locale),
            })
          : t('storage.unknown')}
      </p>
      <p data-testid="storage-persisted" data-persisted={String(storage.persisted === true)}>
        {storage.persisted ? t('storage.persisted') : t('storage.notPersisted')}{' '}
        {storage.persisted === false && (
          <button type="button" onClick={onPersist}>
            {t('storage.persist')}
          </button>
        )}
      </p>
    </section>
  );
}
