import { useState } from 'preact/hooks';
import {
  clearAllHistory,
  forgetLastDeletion,
  undoLastDeletion,
  useHistory,
  useLastDeletion,
  type Deletion,
} from '../hooks/use-history';
import { useI18n } from '../i18n';
import { HistoryList } from '../ui/HistoryList';
import { ConfirmDialog } from '../ui/ModalDialog';

/** "Deleted … Undo": what the last deletion did to the prediction's sending, and the way back. */
function DeletionNotice({ deletion }: { deletion: Deletion }) {
  const { t } = useI18n();
  const unsent = deletion.removed.some((r) => r.entry.state !== 'synced');
  return (
    <div class="notice snackbar" role="status" data-testid="deletion-notice">
      <p>{unsent ? t('history.deleted.unsent') : t('history.deleted.sent')}</p>
      <button type="button" class="primary" onClick={() => void undoLastDeletion()}>
        {t('history.undo')}
      </button>
      <button type="button" onClick={forgetLastDeletion}>
        {t('history.dismiss')}
      </button>
    </div>
  );
}

/** The History screen: predictions on this device, each opening its own page; delete all. */
export function HistoryScreen() {
  const { t } = useI18n();
  const history = useHistory();
  const deletion = useLastDeletion();
  const [confirming, setConfirming] = useState(false);
  const [cleared, setCleared] = useState<number | null>(null);
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">{t('history.title')}</h1>
      {deletion && <DeletionNotice deletion={deletion} />}
      {cleared !== null && (
        <p class="notice" role="status" data-testid="history-cleared">
          {t('history.cleared', { count: cleared })}
        </p>
      )}
      {history && history.items.length === 0 && <p class="muted">{t('history.empty')}</p>}
      {history && history.items.length > 0 && (
        <>
          <p class="muted">{t('history.intro')}</p>
          <HistoryList items={history.items} />
          <button
            type="button"
            class="danger"
            data-testid="history-clear"
            onClick={() => setConfirming(true)}
          >
            {t('history.clearAll')}
          </button>
        </>
      )}
      {confirming && history && (
        <ConfirmDialog
          title={t('history.clear.title')}
          confirm={t('history.clear.confirm')}
          cancel={t('history.cancel')}
          onClose={() => setConfirming(false)}
          onConfirm={() => void clearAllHistory().then(({ removed }) => setCleared(removed))}
        >
          <p>{t('history.clear.body', { count: history.total })}</p>
          {history.unsent > 0 && <p>{t('history.clear.unsent', { count: history.unsent })}</p>}
          {history.unsent < history.total && <p>{t('history.clear.sent')}</p>}
        </ConfirmDialog>
      )}
    </section>
  );
}
