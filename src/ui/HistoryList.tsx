import { useI18n } from '../i18n';
import { BlobImage } from './BlobImage';
import type { MessageKey } from '../i18n/messages';

/** One logged prediction as History shows it. */
export interface HistoryItem {
  id: string;
  createdAt: string;
  thumbnail?: Blob;
  label: string;
  probability: number;
  notSure: boolean;
  state: 'pending' | 'synced' | 'rejected';
  feedbackLabel?: string;
  /** Labels the user may pick as the right species. */
  choices: string[];
}

const STATE_KEYS: Record<HistoryItem['state'], MessageKey> = {
  pending: 'history.state.pending',
  synced: 'history.state.synced',
  rejected: 'history.state.rejected',
};

/** The list of predictions on this device, newest first, with the feedback action. */
export function HistoryList(props: {
  items: HistoryItem[];
  onFeedback: (id: string, label: string) => void;
}) {
  const { t, locale } = useI18n();
  if (props.items.length === 0) return <p class="muted">{t('history.empty')}</p>;
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <ul class="history-list">
      {props.items.map((item) => (
        <li
          key={item.id}
          class="card history-item"
          data-testid="history-item"
          data-id={item.id}
          data-state={item.state}
        >
          {item.thumbnail ? (
            <BlobImage class="history-thumb" blob={item.thumbnail} alt="" width={64} height={64} />
          ) : (
            <span class="history-thumb" aria-hidden="true" />
          )}
          <div class="history-body">
            <p class="history-species">
              {item.notSure ? t('history.notSure', { label: item.label }) : item.label}{' '}
              <span class="muted">{percent.format(item.probability)}</span>
            </p>
            <p class="muted history-meta">
              <time dateTime={item.createdAt}>{when.format(new Date(item.createdAt))}</time>{' '}
              <span class={`sync-badge sync-${item.state}`}>{t(STATE_KEYS[item.state])}</span>
            </p>
            <label class="history-feedback">
              {t('history.feedback')}{' '}
              <select
                value={item.feedbackLabel ?? ''}
                onChange={(event) => {
                  const value = event.currentTarget.value;
                  if (value) props.onFeedback(item.id, value);
                }}
              >
                <option value="">{t('history.feedback.none')}</option>
                {item.choices.map((choice) => (
                  <option key={choice} value={choice}>
                    {choice}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </li>
      ))}
    </ul>
  );
}
