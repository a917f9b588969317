import { useEffect, useMemo, useState } from 'preact/hooks';
import type { StatsResponse } from '../../shared/stats';
import {
  confidenceDistribution,
  disagreementBySpecies,
  speciesOverTime,
  versionLabel,
} from '../admin/chart-data';
import { fetchStats, loadAdminToken, saveAdminToken, StatsError } from '../admin/stats-api';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n/messages';
import { ConfidenceChart, DisagreementChart, SpeciesOverTimeChart } from '../ui/StatsCharts';
import '../styles/dashboard.css';

const WINDOWS = [7, 30, 90, 365];

type Load =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'ready'; stats: StatsResponse }
  | { state: 'failed'; error: StatsError };

/**
 * The operators' dashboard (/dashboard): asks for the admin token once, then plots the field
 * statistics of GET /api/v1/stats — species over time, confidence per version, disagreement.
 */
export function DashboardScreen() {
  const { t, locale } = useI18n();
  // Operators compare rates to a tenth of a percent, written the language's way.
  const rate = new Intl.NumberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  const [token, setToken] = useState<string | null>(() => loadAdminToken());
  const [draft, setDraft] = useState('');
  const [model, setModel] = useState('');
  const [days, setDays] = useState(30);
  const [versionIndex, setVersionIndex] = useState(0);
  const [load, setLoad] = useState<Load>({ state: 'idle' });
  // Bumped on every submit so entering the same token again retries.
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!token) return;
    const controller = new AbortController();
    setLoad({ state: 'loading' });
    fetchStats(token, { days, ...(model ? { model } : {}) }, controller.signal).then(
      (stats) => {
        setVersionIndex(0);
        setLoad({ state: 'ready', stats });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const failure =
          error instanceof StatsError
            ? error
            : new StatsError('network', undefined, { cause: error });
        // A refused token is not worth keeping: ask for it again.
        if (failure.code === 'unauthorized' || failure.code === 'forbidden') saveAdminToken(null);
        setLoad({ state: 'failed', error: failure });
      },
    );
    return () => controller.abort();
  }, [token, model, days, attempt]);

  const stats = load.state === 'ready' ? load.stats : null;
  const version = stats?.versions[versionIndex] ?? stats?.versions[0];
  const charts = useMemo(
    () =>
      stats && version
        ? {
            species: speciesOverTime(stats, version, t('dashboard.other')),
            confidence: confidenceDistribution(stats),
            disagreement: disagreementBySpecies(stats),
          }
        : null,
    [stats, version, t],
  );
  const refused =
    load.state === 'failed' &&
    (load.error.code === 'unauthorized' || load.error.code === 'forbidden');

  return (
    <section aria-labelledby="dashboard-title" class="dashboard">
      <h1 id="dashboard-title">{t('dashboard.title')}</h1>
      <p class="muted">{t('dashboard.intro')}</p>

      {(!token || refused) && (
        <form
          class="card dashboard-token"
          onSubmit={(event) => {
            event.preventDefault();
            const value = draft.trim();
            if (!value) return;
            saveAdminToken(value);
            setDraft('');
            setToken(value);
            setAttempt((n) => n + 1);
          }}
        >
          <label>
            {t('dashboard.token')}
            <input
              type="password"
              autoComplete="off"
              value={draft}
              onInput={(e) => setDraft(e.currentTarget.value)}
              data-testid="admin-token"
            />
          </label>
          <p class="muted">{t('dashboard.tokenHint')}</p>
          <button class="primary" type="submit">
            {t('dashboard.open')}
          </button>
        </form>
      )}

      {load.state === 'failed' && (
        <p class="notice" role="alert" data-testid="dashboard-error">
          {t(`dashboard.error.${load.error.code}` as MessageKey, {
            status: load.error.status ?? '',
          })}
        </p>
      )}

      {token && !refused && (
        <div class="dashboard-controls">
          <label>
            {t('dashboard.model')}
            <input
              value={model}
              placeholder={t('dashboard.allModels')}
              onChange={(e) => setModel(e.currentTarget.value.trim())}
            />
          </label>
          <label>
            {t('dashboard.window')}
            <select value={days} onChange={(e) => setDays(Number(e.currentTarget.value))}>
              {WINDOWS.map((d) => (
                <option key={d} value={d}>
                  {t('dashboard.days', { days: d })}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            onClick={() => {
              saveAdminToken(null);
              setToken(null);
              setLoad({ state: 'idle' });
            }}
          >
            {t('dashboard.forget')}
          </button>
        </div>
      )}

      {load.state === 'loading' && <p role="status">{t('dashboard.loading')}</p>}
      {stats && stats.versions.length === 0 && (
        <p data-testid="dashboard-empty">{t('dashboard.empty')}</p>
      )}

      {stats && version && charts && (
        <>
          <ul class="dashboard-summary">
            {stats.versions.map((v) => (
              <li key={versionLabel(v)}>
                {t('dashboard.summary', {
                  version: versionLabel(v),
                  predictions: v.predictions,
                  notSure: v.notSure,
                  rate: v.notSureRate === null ? '—' : rate.format(v.notSureRate),
                  disagreements: v.feedback.disagreements,
                  feedback: v.feedback.withFeedback,
                })}
              </li>
            ))}
          </ul>
          {stats.versions.length > 1 && (
            <label>
              {t('dashboard.version')}
              <select
                value={versionIndex}
                onChange={(e) => setVersionIndex(Number(e.currentTarget.value))}
              >
                {stats.versions.map((v, i) => (
                  <option key={versionLabel(v)} value={i}>
                    {versionLabel(v)}
                  </option>
                ))}
              </select>
            </label>
          )}
          <SpeciesOverTimeChart
            data={charts.species}
            label={t('dashboard.speciesOverTime', { version: versionLabel(version) })}
            yLabel={t('dashboard.perDay')}
          />
          <ConfidenceChart
            data={charts.confidence}
            label={t('dashboard.confidence')}
            yLabel={t('dashboard.share')}
          />
          {charts.disagreement.categories.length > 0 ? (
            <DisagreementChart
              data={charts.disagreement}
              label={t('dashboard.disagreement')}
              yLabel={t('dashboard.rate')}
            />
          ) : (
            <p class="muted">{t('dashboard.noFeedback')}</p>
          )}
        </>
      )}
    </section>
  );
}
