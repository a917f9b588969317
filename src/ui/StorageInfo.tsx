import { useI18n } from '../i18n';
import { formatBytes } from './format';

/** What the browser reports about storage: usage, quota, and whether it is persistent. */
export interface StorageView {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
}

/**
 * Storage usage and quota, with a button to ask for persistent storage when it is not granted,
 * and the browser's answer once asked (it may say no: then how to change its mind).
 */
export function StorageInfo({
  storage,
  persistAnswer,
  onPersist,
}: {
  storage: StorageView;
  persistAnswer: boolean | null;
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
      {persistAnswer !== null && (
        <p class="notice" role="status" data-testid="storage-persist-answer">
          {persistAnswer ? t('storage.persistGranted') : t('storage.persistRefused')}
        </p>
      )}
    </section>
  );
}
