import { useLocation } from 'preact-iso';
import type { Label } from '../../shared/pack';
import { useState } from 'preact/hooks';
import { deleteHistoryEntry, useHistoryEntry } from '../hooks/use-history';
import { useI18n } from '../i18n';
import { giveFeedback } from '../sync';
import { BlobImage } from '../ui/BlobImage';
import { formatPercent } from '../ui/format';
import { predictionWords, speciesById, SYNC_STATE_WORDS } from '../ui/HistoryList';
import { SpeciesPicker } from '../ui/SpeciesPicker';
import { SpeciesName } from '../ui/SpeciesName';

/** One prediction of History (/history/:id): photo, species, correction, delete, technical details. */
export function HistoryEntryScreen(props: { id?: string }) {
  const i18n = useI18n();
  const { t, tm, locale } = i18n;
  const { route } = useLocation();
  const id = props.id ?? '';
  const view = useHistoryEntry(id);
  const [picking, setPicking] = useState(false);
  const [saved, setSaved] = useState<Label | null>(null);
  const back = (
    <a class="back-link" href="/history">
      {t('history.back')}
    </a>
  );
  if (!view) return <section aria-busy="true">{back}</section>;
  if (!view.found)
    return (
      <section aria-labelledby="entry-title">
        {back}
        <h1 id="entry-title">{t('history.notFound')}</h1>
      </section>
    );

  const { entry, species } = view.item;
  const words = predictionWords(view.item, i18n);
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' });
  const choices = species.length > 0 ? species : entry.top.map((l) => speciesById([], l.label));
  const remove = async () => {
    await deleteHistoryEntry(entry.id);
    route('/history');
  };
  return (
    <section
      aria-labelledby="entry-title"
      class="history-entry"
      data-testid="history-entry"
      data-id={entry.id}
      data-state={entry.state}
    >
      {back}
      <h1 id="entry-title">{words.title}</h1>
      {entry.thumbnail && (
        <BlobImage class="history-photo" blob={entry.thumbnail} alt={t('history.photo')} />
      )}
      <p class="history-confidence">
        {entry.unknown
          ? t('history.unknownLine')
          : entry.notSure
            ? t('history.notSureLine', { percent: words.percent })
            : t('history.sure', { percent: words.percent })}
      </p>
      <p class="muted">
        {t('history.when', { time: when.format(new Date(entry.createdAt)) })}{' '}
        <span class={`sync-badge sync-${entry.state}`}>{t(SYNC_STATE_WORDS[entry.state])}</span>
      </p>
      {entry.state === 'rejected' && <p class="muted">{t('history.rejectedHint')}</p>}

      <div class="card history-correction-card">
        <p data-testid="history-correction">
          {words.correction
            ? tm('history.corrected', { name: words.correction })
            : t('history.noCorrection')}
        </p>
        <button type="button" data-testid="correct-species" onClick={() => setPicking(true)}>
          {words.correction ? t('history.changeCorrection') : t('history.correct')}
        </button>
        {saved && (
          <p class="notice" role="status" data-testid="correction-saved">
            {tm('history.saved', { name: <SpeciesName species={saved} /> })}
          </p>
        )}
      </div>

      <h2>{t('history.top')}</h2>
      <ol class="history-top">
        {entry.top.map(({ label, probability }) => (
          <li key={label}>
            <SpeciesName species={speciesById(species, label)} />{' '}
            <span class="muted percent">{formatPercent(probability, locale)}</span>
          </li>
        ))}
      </ol>

      <button
        type="button"
        class="danger"
        data-testid="history-delete"
        onClick={() => void remove()}
      >
        {t('history.delete')}
      </button>

      <details class="technical">
        <summary>{t('history.details')}</summary>
        <dl>
          <dt>{t('history.details.pack')}</dt>
          <dd>
            {entry.model.name} · {entry.model.version}
          </dd>
          <dt>{t('history.details.engine')}</dt>
          <dd>
            {t('history.details.engineValue', {
              backend: entry.backend,
              ms: Math.round(entry.latencyMs),
            })}
          </dd>
          <dt>{t('history.details.app')}</dt>
          <dd>{entry.appVersion}</dd>
          <dt>{t('history.details.id')}</dt>
          <dd>{entry.id}</dd>
          {entry.rejectReason && (
            <>
              <dt>{t('history.details.reason')}</dt>
              <dd>{entry.rejectReason}</dd>
            </>
          )}
        </dl>
      </details>

      {picking && (
        <SpeciesPicker
          species={choices}
          current={entry.feedback?.label ?? null}
          onClose={() => setPicking(false)}
          onSave={(label) => {
            setSaved(speciesById(choices, label));
            void giveFeedback(entry.id, label);
          }}
        />
      )}
    </section>
  );
}
