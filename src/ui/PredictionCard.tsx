import { useState } from 'preact/hooks';
import type { Label } from '../../shared/pack';
import { useI18n } from '../i18n';

/** What the card shows; the screen maps a classification to this (the UI imports no model code). */
export interface PredictionView {
  /** Every label with its probability, most probable first. */
  ranked: { label: Label; probability: number }[];
  notSure: boolean;
  model: { name: string; version: number };
  backend: string;
  latencyMs: number;
  /** Increases with every identification, so tests can wait for a new result. */
  seq: number;
}

/** Percent for people: 97 %, 4.2 %, <0.1 %. */
export function formatPercent(probability: number, locale: string): string {
  const percent = probability * 100;
  if (percent > 0 && percent < 0.1) return '<0.1 %';
  return `${percent.toLocaleString(locale, { maximumFractionDigits: percent < 10 ? 1 : 0 })} %`;
}

function displayName(label: Label, locale: string): string {
  return label.names[locale] ?? label.names.en ?? label.latin;
}

function ProbabilityBars(props: { rows: PredictionView['ranked']; locale: string }) {
  return (
    <ol class="probability-list">
      {props.rows.map(({ label, probability }) => (
        <li key={label.id} class="probability-row" data-label={label.id}>
          <span class="probability-name">{displayName(label, props.locale)}</span>
          <span class="probability-value">{formatPercent(probability, props.locale)}</span>
          <span class="probability-bar" aria-hidden="true">
            <span style={{ width: `${Math.max(0.5, probability * 100).toFixed(1)}%` }} />
          </span>
        </li>
      ))}
    </ol>
  );
}

/** The result of one identification: species card, top-3 bars (all on demand), model facts. */
export function PredictionCard(props: { view: PredictionView; photoUrl?: string }) {
  const { t, locale } = useI18n();
  const [showAll, setShowAll] = useState(false);
  const { view } = props;
  const best = view.ranked[0];
  if (!best) return null;
  const percent = formatPercent(best.probability, locale);
  const rows = showAll ? view.ranked : view.ranked.slice(0, 3);
  return (
    <article
      class={`card prediction${view.notSure ? ' not-sure' : ''}`}
      data-testid="prediction"
      data-label={best.label.id}
      data-probability={String(best.probability)}
      data-not-sure={view.notSure ? 'true' : undefined}
      data-seq={String(view.seq)}
      aria-labelledby="prediction-title"
    >
      {props.photoUrl && (
        <img class="prediction-photo" src={props.photoUrl} alt={t('identify.yourPhoto')} />
      )}
      <h2 id="prediction-title" class="visually-hidden">
        {t('identify.result')}
      </h2>
      {view.notSure ? (
        <div class="species" role="status">
          <p class="species-name">{t('identify.notSure')}</p>
          <p>{t('identify.notSureHint', { name: displayName(best.label, locale), percent })}</p>
        </div>
      ) : (
        <div class="species" role="status">
          <p class="species-name">{displayName(best.label, locale)}</p>
          <p class="species-confidence">{t('identify.probability', { percent })}</p>
        </div>
      )}
      <dl class="species-names">
        <dt>{t('identify.latin')}</dt>
        <dd>
          <i lang="la">{best.label.latin}</i>
        </dd>
        {best.label.names.en && (
          <>
            <dt>{t('identify.english')}</dt>
            <dd lang="en">{best.label.names.en}</dd>
          </>
        )}
        {best.label.names.ru && (
          <>
            <dt>{t('identify.russian')}</dt>
            <dd lang="ru">{best.label.names.ru}</dd>
          </>
        )}
      </dl>
      <h3 class="probability-title">{t('identify.top3')}</h3>
      <ProbabilityBars rows={rows} locale={locale} />
      {view.ranked.length > 3 && (
        <button
          type="button"
          class="link-button"
          aria-expanded={showAll}
          onClick={() => setShowAll(!showAll)}
        >
          {showAll
            ? t('identify.fewerClasses')
            : t('identify.allClasses', { count: view.ranked.length })}
        </button>
      )}
      <p class="muted prediction-meta" data-testid="prediction-meta">
        {t('identify.meta', {
          model: view.model.name,
          version: view.model.version,
          backend: view.backend.toUpperCase(),
          ms: Math.round(view.latencyMs),
        })}
      </p>
    </article>
  );
}
