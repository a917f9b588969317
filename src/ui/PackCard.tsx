import type { PackDisplay } from '../../shared/pack';
import { useI18n } from '../i18n';
import { formatBytes } from './format';
import { packDescription, packTitle, type SpeciesNames } from './names';
import { PackCoverage } from './PackCoverage';
import { PackProgress } from './PackProgress';
import { PackQuality, type PackQualityView } from './PackQuality';

/** Everything one pack card shows: the version on the device, what the registry offers, a running install. */
export interface PackCardView {
  name: string;
  display: PackDisplay | undefined;
  description: string;
  labelCount: number;
  /** The species by name, when known. */
  species: SpeciesNames[];
  sizeBytes: number;
  /** Measured on validation fish: share of photos answered "sure", and right when "sure". */
  sure: PackQualityView | undefined;
  installed: { version: number; previous: number | null } | null;
  /** The registry's version; null when it is not known. */
  latest: number | null;
  latestSizeBytes: number | null;
  /** The registry's version cannot run in the app: no download is offered. */
  unusable: boolean;
  canUpdate: boolean;
  active: boolean;
  progress: { version: number; loaded: number; total: number } | null;
  /** Why the last install failed, in words. */
  error: string | null;
  online: boolean;
}

/** Callbacks of a pack card; the screen does the work. */
export interface PackCardActions {
  onInstall: () => void;
  onUse: () => void;
  onSwitchVersion: () => void;
  onDelete: () => void;
  onCancel: () => void;
}

/** One pack: title, what it covers, how good it is, the version on the device, progress and actions. */
export function PackCard({ pack, actions }: { pack: PackCardView; actions: PackCardActions }) {
  const { t, locale } = useI18n();
  const busy = pack.progress !== null;
  const { installed } = pack;
  const previous = installed?.previous ?? null;
  const title = packTitle(pack, locale);
  const description = packDescription(pack, locale);
  const headingId = `pack-${pack.name}`;
  return (
    <article
      class={pack.active ? 'pack-card active' : 'pack-card'}
      data-testid="pack-card"
      data-model={pack.name}
      data-installed-version={installed?.version ?? ''}
      data-latest-version={pack.latest ?? ''}
      data-active={String(pack.active)}
      aria-labelledby={headingId}
    >
      <header class="pack-head">
        <h2 id={headingId}>{title}</h2>
        {pack.active && <span class="badge">{t('packs.active')}</span>}
      </header>
      {description && <p class="pack-description">{description}</p>}
      <p class="pack-facts">
        <span>
          <PackCoverage count={pack.labelCount} species={pack.species} />
        </span>
        <span>{t('packs.size', { size: formatBytes(pack.sizeBytes, locale) })}</span>
      </p>
      {pack.sure && <PackQuality sure={pack.sure} />}
      <p class="pack-state" data-testid="pack-state">
        {installed
          ? t('packs.installedVersion', { version: installed.version })
          : t('packs.notInstalled')}
        {previous !== null && (
          <span class="pack-previous"> {t('packs.previous', { version: previous })}</span>
        )}
      </p>
      {pack.canUpdate && !busy && (
        <p class="pack-update" data-testid="pack-update">
          {t('packs.updateAvailable', {
            version: pack.latest ?? 0,
            size: formatBytes(pack.latestSizeBytes ?? 0, locale),
          })}
        </p>
      )}
      {pack.unusable && (
        <p class="pack-unusable" role="note" data-testid="pack-unusable">
          {t('packs.unusable', { version: pack.latest ?? 0 })}
        </p>
      )}
      {pack.progress && (
        <PackProgress
          loaded={pack.progress.loaded}
          total={pack.progress.total}
          label={title}
          text={
            pack.progress.loaded < pack.progress.total
              ? t('packs.downloading', {
                  version: pack.progress.version,
                  loaded: formatBytes(pack.progress.loaded, locale),
                  total: formatBytes(pack.progress.total, locale),
                })
              : t('packs.verifying', { version: pack.progress.version })
          }
          onCancel={actions.onCancel}
        />
      )}
      {pack.error && (
        <p class="pack-error" role="alert" data-testid="pack-error">
          {pack.error}
        </p>
      )}
      {!busy && (
        <div class="pack-actions">
          {!installed && pack.latest !== null && !pack.unusable && (
            <button
              type="button"
              class="primary"
              disabled={!pack.online}
              onClick={actions.onInstall}
            >
              {t('packs.download')}
            </button>
          )}
          {pack.canUpdate && (
            <button
              type="button"
              class="primary"
              disabled={!pack.online}
              onClick={actions.onInstall}
            >
              {t('packs.update', { version: pack.latest ?? 0 })}
            </button>
          )}
          {installed && !pack.active && (
            <button type="button" onClick={actions.onUse}>
              {t('packs.use')}
            </button>
          )}
          {installed && previous !== null && (
            <button type="button" onClick={actions.onSwitchVersion}>
              {previous > installed.version
                ? t('packs.rollForward', { version: previous })
                : t('packs.rollback', { version: previous })}
            </button>
          )}
          {installed && (
            <button type="button" class="danger" onClick={actions.onDelete}>
              {t('packs.delete')}
            </button>
          )}
        </div>
      )}
      {!pack.online &&
        (pack.canUpdate || (!installed && pack.latest !== null && !pack.unusable)) && (
          <p class="muted">{t('packs.needsNetwork')}</p>
        )}
      <details class="technical">
        <summary>{t('packs.details')}</summary>
        <dl>
          <dt>{t('packs.details.name')}</dt>
          <dd>{pack.name}</dd>
          <dt>{t('packs.details.versions')}</dt>
          <dd>
            {installed ? [installed.version, previous].filter((v) => v !== null).join(', ') : '—'}
          </dd>
          <dt>{t('packs.details.latest')}</dt>
          <dd>{pack.latest ?? '—'}</dd>
        </dl>
      </details>
    </article>
  );
}
