import { useI18n } from '../i18n';
import { useLog } from '../hooks/use-log';
import { giveFeedback, type OutboxEntry, type PredictionLog } from '../sync';
import { HistoryList, type HistoryItem } from '../ui/HistoryList';

const SHOWN = 200;

function toItem(entry: OutboxEntry): HistoryItem {
  const best = entry.top[0] ?? { label: '?', probability: 0 };
  return {
    id: entry.id,
    createdAt: entry.createdAt,
    ...(entry.thumbnail ? { thumbnail: entry.thumbnail } : {}),
    label: best.label,
    probability: best.probability,
    notSure: entry.notSure,
    state: entry.state,
    ...(entry.feedback ? { feedbackLabel: entry.feedback.label } : {}),
    choices: [
      ...new Set([
        ...entry.top.map((l) => l.label),
        ...(entry.feedback ? [entry.feedback.label] : []),
      ]),
    ],
  };
}

const readHistory = async (log: PredictionLog) => (await log.recent(SHOWN)).map(toItem);

/** The History screen: predictions on this device with their sync state and the feedback action. */
export function HistoryScreen() {
  const { t } = useI18n();
  const items = useLog(readHistory);
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">{t('history.title')}</h1>
      {items && (
        <HistoryList items={items} onFeedback={(id, label) => void giveFeedback(id, label)} />
      )}
    </section>
  );
}
