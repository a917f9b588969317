import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { nextRetryAt, onLogChange, predictionLog, requestSync, retryDeadLetter } from '../sync';
import { SyncStatus, type DeadLetter } from '../ui/SyncStatus';
import { useOnline } from '../hooks/use-online';

interface StatusView {
  pending: number;
  feedbackPending: number;
  lastSyncAt: string | null;
  nextRetryAt: number | null;
  deadLetters: DeadLetter[];
}

/** The Status screen: the outbox (pending count, last sync, dead letters). */
export function StatusScreen() {
  const { t } = useI18n();
  const online = useOnline();
  const [view, setView] = useState<StatusView | null>(null);

  useEffect(() => {
    let alive = true;
    const load = async () => {
      const log = await predictionLog();
      const [counts, lastSyncAt, dead] = await Promise.all([
        log.counts(),
        log.lastSyncAt(),
        log.deadLetters(),
      ]);
      if (!alive) return;
      setView({
        pending: counts.pending,
        feedbackPending: counts.feedbackPending,
        lastSyncAt: lastSyncAt ?? null,
        nextRetryAt: nextRetryAt(),
        deadLetters: dead.map((entry) => ({
          id: entry.id,
          createdAt: entry.createdAt,
          label: entry.top[0]?.label ?? '?',
          reason: entry.rejectReason ?? '',
        })),
      });
    };
    void load();
    const unsubscribe = onLogChange(() => void load());
    return () => {
      alive = false;
      unsubscribe();
    };
  }, []);

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
