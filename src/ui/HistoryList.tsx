import type { Label, PackRef } from '../../shared/pack';
import { useI18n, type I18n } from '../i18n';
import type { MessageKey } from '../i18n/messages';
import { BlobImage } from './BlobImage';
import { formatPercent } from './format';
import { SpeciesName } from './SpeciesName';

/** The species with id `id` in `species`, or a stand-in named by the id (a log kept no names). */
export function speciesById(species: readonly Label[], id: string): Label {
  return species.find((label) => label.id === id) ?? { id, latin: id, names: {} };
}

/** What History shows of a logged prediction (the log's entries have this shape). */
export interface LoggedPrediction {
  id: string;
  createdAt: string;
  model: PackRef;
  top: { label: string; probability: number }[];
  notSure: boolean;
  /** None of the pack's species (then no percentage is shown: it would be the closest one's). */
  unknown?: boolean;
  state: 'pending' | 'synced' | 'rejected';
  feedback?: { label: string };
  thumbnail?: Blob;
  backend: string;
  latencyMs: number;
  appVersion: string;
  rejectReason?: string;
}

/** One logged prediction with the species of the pack version that made it. */
export interface HistoryEntry {
  entry: LoggedPrediction;
  /** Every species of that pack version, in output order (empty when the log kept none). */
  species: Label[];
}

export const SYNC_STATE_WORDS: Record<HistoryEntry['entry']['state'], MessageKey> = {
  pending: 'history.state.pending',
  synced: 'history.state.synced',
  rejected: 'history.state.rejected',
};

/**
 * The words of a logged prediction: the species ("Maybe …" when the model was not sure, "Not one
 * of the pack's species" when it was none), its best label's percentage and the correction.
 */
export function predictionWords(item: HistoryEntry, i18n: Pick<I18n, 'tm' | 'locale'>) {
  const { tm, locale } = i18n;
  const { entry, species } = item;
  const best = entry.top[0];
  const name = best ? <SpeciesName species={speciesById(species, best.label)} /> : '?';
  const correction = entry.feedback ? speciesById(species, entry.feedback.label) : undefined;
  return {
    title: entry.unknown
      ? tm('history.unknown', { name })
      : entry.notSure
        ? tm('history.maybe', { name })
        : name,
    percent: best && !entry.unknown ? formatPercent(best.probability, locale) : '',
    correction: correction ? <SpeciesName species={correction} /> : null,
  };
}

/** The predictions on this device, newest first; each opens its own page. */
export function HistoryList(props: { items: HistoryEntry[] }) {
  const i18n = useI18n();
  const { t, tm, locale } = i18n;
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <ul class="history-list">
      {props.items.map((item) => {
        const { entry } = item;
        const words = predictionWords(item, i18n);
        return (
          <li
            key={entry.id}
            class="card history-item"
            data-testid="history-item"
            data-id={entry.id}
            data-state={entry.state}
            data-label={entry.top[0]?.label}
          >
            <a class="history-link" href={`/history/${encodeURIComponent(entry.id)}`}>
              {entry.thumbnail ? (
                <BlobImage
                  class="history-thumb"
                  blob={entry.thumbnail}
                  alt=""
                  width={64}
                  height={64}
                />
              ) : (
                <span class="history-thumb" aria-hidden="true" />
              )}
              <span class="history-body">
                <span class="history-species" data-testid="history-species">
                  {words.title} <span class="muted percent">{words.percent}</span>
                </span>
                {words.correction && (
                  <span class="history-correction">
                    {tm('history.corrected', { name: words.correction })}
                  </span>
                )}
                <span class="muted history-meta">
                  <time dateTime={entry.createdAt}>{when.format(new Date(entry.createdAt))}</time>{' '}
                  <span class={`sync-badge sync-${entry.state}`}>
                    {t(SYNC_STATE_WORDS[entry.state])}
                  </span>
                </span>
              </span>
            </a>
          </li>
        );
      })}
    </ul>
  );
}
