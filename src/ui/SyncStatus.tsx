import type { Label } from '../../shared/pack';
import { useI18n } from '../i18n';
import { SpeciesName } from './SpeciesName';

/** A prediction the server refused, as the Status screen lists it. */
export interface DeadLetter {
  id: string;
  createdAt: string;
  species: Label;
  /** The server's reason, in its words (shown as a technical detail). */
  reason: string;
}

/** The outbox: how many predictions wait, when sync last succeeded, and the dead letters. */
export function SyncStatus(props: {
  online: boolean;
  pending: number;
  feedbackPending: number;
  lastSyncAt: string | null;
  nextRetryAt: number | null;
  deadLetters: DeadLetter[];
  onSyncNow: () => void;
  onRetry: (id: string) => void;
}) {
  const { t, locale } = useI18n();
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' });
  return (
    <>
      <div class="card">
        <p>{props.online ? t('status.online') : t('status.offline')}</p>
        <p data-testid="outbox" data-pending={props.pending}>
          {props.pending > 0 ? t('status.pending', { count: props.pending }) : t('status.allSent')}
        </p>
        {props.feedbackPending > 0 && (
          <p class="muted">{t('status.feedbackPending', { count: props.feedbackPending })}</p>
        )}
        <p data-testid="last-sync" data-at={props.lastSyncAt ?? ''}>
          {props.lastSyncAt
            ? t('status.lastSync', { time: when.format(new Date(props.lastSyncAt)) })
            : t('status.neverSynced')}
        </p>
        {props.nextRetryAt !== null && (
          <p class="muted">
            {t('status.nextRetry', { time: when.format(new Date(props.nextRetryAt)) })}
          </p>
        )}
        <button type="button" class="primary" onClick={props.onSyncNow} disabled={!props.online}>
          {t('status.syncNow')}
        </button>
      </div>
      {props.deadLetters.length > 0 && (
        <section aria-labelledby="dead-letters-title">
          <h2 id="dead-letters-title">{t('status.deadLetters')}</h2>
          <p class="muted">{t('status.deadLettersHint')}</p>
          <ul class="dead-letters" data-testid="dead-letters" data-count={props.deadLetters.length}>
            {props.deadLetters.map((letter) => (
              <li key={letter.id} class="card" data-id={letter.id}>
                <p>
                  <SpeciesName species={letter.species} />{' '}
                  <span class="muted">{when.format(new Date(letter.createdAt))}</span>
                </p>
                <button type="button" onClick={() => props.onRetry(letter.id)}>
                  {t('status.retry')}
                </button>
                <details class="technical">
                  <summary>{t('status.details')}</summary>
                  <p class="dead-letter-reason">{letter.reason}</p>
                </details>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
