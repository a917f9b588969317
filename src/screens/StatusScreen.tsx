import { speciesById } from '../ui/HistoryList';
import { useI18n } from '../i18n';
import { useLog } from '../hooks/use-log';
import { useOnline } from '../hooks/use-online';
import { nextRetryAt, requestSync, retryDeadLetter, type PredictionLog } from '../sync';
import { SyncStatus } from '../ui/SyncStatus';

async function readStatus(log: PredictionLog) {
  const [counts, lastSyncAt, dead] = await Promise.all([
    log.counts(),
    log.lastSyncAt(),
    log.deadLetters(),
  ]);
  return {
    pending: counts.pending,
    feedbackPending: counts.feedbackPending,
    lastSyncAt: lastSyncAt ?? null,
    nextRetryAt: nextRetryAt(),
    deadLetters: await Promise.all(
      dead.map(async (entry) => ({
        id: entry.id,
        createdAt: entry.createdAt,
        species: speciesById((await log.labels(entry.model)) ?? [], entry.top[0]?.label ?? '?'),
        reason: entry.rejectReason ?? '',
      })),
    ),
  };
}

/** The Status screen: the outbox (pending count, last sync, dead letters). */
export function StatusScreen() {
  const { t } = useI18n();
  const online = useOnline();
  const view = useLog(readStatus);
  return (
    <section aria-labelledby="status-title">
      <h1 id="status-title">{t('status.title')}</h1>
      {view && (
        <SyncStatus
          online={online}
          {...view}
          onSyncNow={() => void requestSync({ force: true })}
          onRetry={(id) => void retryDeadLetter(id)}
        />
      )}
    </section>
  );
}
