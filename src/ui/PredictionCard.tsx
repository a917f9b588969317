import { useEffect, useRef, useState } from 'preact/hooks';
import { displayPercent, type Verdict } from '../../shared/decision';
import type { Label, PackRef } from '../../shared/pack';
import { useI18n } from '../i18n';
import { formatPercent } from './format';
import { speciesName } from './names';
import { ReferencePhotos, type ReferencePhotoView } from './ReferencePhotos';
import { SpeciesCard } from './SpeciesCard';
import { SpeciesName } from './SpeciesName';

export interface RankedSpecies {
  label: Label;
  probability: number;
}

/** What the card shows; the screen maps a classification to this (the UI imports no model code). */
export interface PredictionView {
  verdict: Verdict;
  /** Every label with its probability, most probable first. */
  ranked: RankedSpecies[];
  /** The pack that answered. */
  pack: PackRef;
  /** Facts for "Technical details" only. */
  technical: { backend: string; details: string; latencyMs: number };
  /** Increases with every identification, so tests can wait for a new result. */
  seq: number;
}

/** A pack to suggest when the fish is none of this pack's species. */
export interface OtherPack {
  name: string;
  title: string;
  speciesCount: number;
}

/** The seq of the last result brought into view, so coming back to the screen does not scroll. */
let scrolledTo = 0;

function VerdictText(props: { view: PredictionView; best: RankedSpecies }) {
  const { t, locale } = useI18n();
  const percent = formatPercent(props.best.probability, locale);
  const nameTag = (extra = '') => (
    <SpeciesName species={props.best.label} class={`species-name${extra}`} testid="species-name" />
  );
  switch (props.view.verdict) {
    case 'sure':
      return (
        <>
          <p class="verdict-sure">{nameTag()}</p>
          <p class="species-confidence" data-testid="species-confidence">
            {t('result.sure', { percent })}
          </p>
          <p class="species-latin">
            <i lang="la">{props.best.label.latin}</i>
          </p>
        </>
      );
    case 'not-sure':
      return (
        <>
          <p class="verdict-title">{t('result.notSure')}</p>
          <p class="closest">
            {t('result.closest')} {nameTag()}{' '}
            <span class="species-confidence percent" data-testid="species-confidence">
              ({percent})
            </span>
          </p>
        </>
      );
    case 'unknown':
      return (
        <>
          <p class="verdict-title">{t('result.unknown')}</p>
          <p class="looks-like" data-testid="looks-like">
            {t('result.looksLike')} {nameTag(' dimmed')}
          </p>
        </>
      );
  }
}

function OtherPacks(props: {
  title: string;
  speciesCount: number;
  others: OtherPack[];
  onTry: (name: string) => void;
}) {
  const { t } = useI18n();
  return (
    <div class="other-packs" data-testid="other-packs">
      <p>{t('result.unknown.knows', { title: props.title, count: props.speciesCount })}</p>
      {props.others.length > 0 ? (
        <>
          <p>{t('result.unknown.tryOthers')}</p>
          <ul>
            {props.others.map((other) => (
              <li key={other.name}>
                <button type="button" class="link-button" onClick={() => props.onTry(other.name)}>
                  {other.title}
                </button>{' '}
                <span class="other-pack-species muted" data-testid="other-pack-species">
                  {t('packs.species', { count: other.speciesCount })}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>{t('result.unknown.noOthers')}</p>
      )}
    </div>
  );
}

function RankedList(props: { rows: RankedSpecies[]; onOpen: (row: RankedSpecies) => void }) {
  const { locale } = useI18n();
  return (
    <ol class="ranked" data-testid="ranked-species">
      {props.rows.map((row) => (
        <li key={row.label.id} data-label={row.label.id}>
          <button
            type="button"
            class="ranked-row"
            aria-haspopup="dialog"
            onClick={() => props.onOpen(row)}
          >
            <SpeciesName species={row.label} class="ranked-name" testid="ranked-name" />
            <span class="ranked-percent percent">{formatPercent(row.probability, locale)}</span>
            <span class="ranked-bar" aria-hidden="true">
              <span style={{ width: `${displayPercent(row.probability)}%` }} />
            </span>
          </button>
        </li>
      ))}
    </ol>
  );
}

function TechnicalDetails(props: { view: PredictionView; best: RankedSpecies }) {
  const { t } = useI18n();
  const { view, best } = props;
  return (
    <details class="technical-details" data-testid="technical-details">
      <summary>{t('result.technical')}</summary>
      <dl>
        <dt>{t('result.technical.pack')}</dt>
        <dd>
          {t('result.technical.packValue', { name: view.pack.name, version: view.pack.version })}
        </dd>
        <dt>{t('result.technical.engine')}</dt>
        <dd>
          {view.technical.backend.toUpperCase()}
          {view.technical.details && ` (${view.technical.details})`}
        </dd>
        <dt>{t('result.technical.time')}</dt>
        <dd>{t('result.technical.ms', { ms: Math.round(view.technical.latencyMs) })}</dd>
        <dt>{t('result.technical.answer')}</dt>
        <dd>
          {view.verdict} · {best.label.id} · {best.probability.toFixed(4)}
        </dd>
      </dl>
    </details>
  );
}

/**
 * The answer for one photo: the photo beside the verdict (brought into view when it arrives),
 * reference photos of the best match to compare, the top 3 (all on demand; each opens its species
 * card), other packs to try when the fish is none of this pack's, and the technical facts behind
 * a disclosure.
 */
export function PredictionCard(props: {
  view: PredictionView;
  photoUrl?: string;
  pack: { title: string; speciesCount: number };
  /** The pack's reference photos by label id. */
  references: ReadonlyMap<string, readonly ReferencePhotoView[]>;
  otherPacks: OtherPack[];
  onTryPack: (name: string) => void;
}) {
  const { t, tm, locale } = useI18n();
  const [showAll, setShowAll] = useState(false);
  const [opened, setOpened] = useState<RankedSpecies | null>(null);
  const head = useRef<HTMLDivElement>(null);
  const { view } = props;
  useEffect(() => {
    if (view.seq <= scrolledTo) return;
    scrolledTo = view.seq;
    head.current?.scrollIntoView({ block: 'nearest' });
  }, [view.seq]);
  const best = view.ranked[0];
  if (!best) return null;
  const unknown = view.verdict === 'unknown';
  const bestName = speciesName(best.label, locale);
  const bestPhotos = props.references.get(best.label.id) ?? [];
  const rows = showAll ? view.ranked : view.ranked.slice(0, 3);
  return (
    <article
      class={`card prediction verdict-${view.verdict}`}
      data-testid="prediction"
      data-label={best.label.id}
      data-probability={String(best.probability)}
      data-verdict={view.verdict}
      data-not-sure={view.verdict === 'sure' ? undefined : 'true'}
      data-seq={String(view.seq)}
      aria-labelledby="prediction-title"
    >
      <h2 id="prediction-title" class="visually-hidden">
        {t('result.title')}
      </h2>
      <div class="prediction-head" ref={head}>
        {props.photoUrl && (
          <img
            class="prediction-photo"
            data-testid="prediction-photo"
            src={props.photoUrl}
            alt={t('result.yourPhoto')}
          />
        )}
        <div class="verdict" role="status" data-testid="verdict">
          <VerdictText view={view} best={best} />
        </div>
      </div>
      {view.verdict === 'not-sure' && <p class="result-hint">{t('result.notSure.hint')}</p>}
      {unknown && (
        <OtherPacks
          title={props.pack.title}
          speciesCount={props.pack.speciesCount}
          others={props.otherPacks}
          onTry={props.onTryPack}
        />
      )}
      {bestPhotos.length > 0 && (
        <section class="compare" aria-labelledby="compare-title">
          <h3 id="compare-title">
            {tm('result.compare', { name: <SpeciesName species={best.label} /> })}
          </h3>
          <ReferencePhotos
            name={bestName}
            photos={bestPhotos}
            layout="strip"
            onOpen={() => setOpened(best)}
          />
        </section>
      )}
      {!unknown && (
        <>
          <h3 class="ranked-title">{t('result.top3')}</h3>
          <RankedList rows={rows} onOpen={setOpened} />
          {view.ranked.length > 3 && (
            <button
              type="button"
              class="link-button"
              aria-expanded={showAll}
              onClick={() => setShowAll(!showAll)}
            >
              {showAll
                ? t('result.top3Only')
                : t('result.allSpecies', { count: view.ranked.length })}
            </button>
          )}
        </>
      )}
      <TechnicalDetails view={view} best={best} />
      {opened && (
        <SpeciesCard
          label={opened.label}
          photos={props.references.get(opened.label.id) ?? []}
          probability={unknown ? null : opened.probability}
          onClose={() => setOpened(null)}
        />
      )}
    </article>
  );
}
