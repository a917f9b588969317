import { useI18n } from '../i18n';
import { formatBytes } from './format';

/** Everything one model pack card shows: registry facts, what is installed, and a running install. */
export interface PackCardView {
  name: string;
  description: string;
  labelCount: number;
  sizeBytes: number;
  /** Version behind the registry's alias; null when the registry is unreachable. */
  latestVersion: number | null;
  /** The registry's version cannot run in the app (not an image classifier it can run). */
  unusable: boolean;
  installedVersion: number | null;
  previousVersion: number | null;
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
  onRollback: () => void;
  onDelete: () => void;
  onCancel: () => void;
}

/** One model pack: description, species count, size, installed version, progress and actions. */
export function PackCard({ pack, actions }: { pack: PackCardView; actions: PackCardActions }) {
  const { t, locale } = useI18n();
  const busy = pack.progress !== null;
  const canUpdate =
    !pack.unusable &&
    pack.latestVersion !== null &&
    pack.installedVersion !== null &&
    pack.latestVersion > pack.installedVersion;
  const percent =
    pack.progress && pack.progress.total > 0
      ? Math.floor((pack.progress.loaded / pack.progress.total) * 100)
      : 0;
  return (
    <article
      class={pack.active ? 'pack-card active' : 'pack-card'}
      data-testid="pack-card"
      data-model={pack.name}
      data-installed-version={pack.installedVersion ?? ''}
      data-latest-version={pack.latestVersion ?? ''}
      aria-labelledby={`pack-${pack.name}`}
    >
      <header class="pack-head">
        <h3 id={`pack-${pack.name}`}>{pack.name}</h3>
        {pack.active && <span class="badge">{t('packs.active')}</span>}
      </header>
      {pack.description && <p class="pack-description">{pack.description}</p>}
      <p class="pack-facts">
        <span>{t('packs.species', { count: pack.labelCount })}</span>
        <span>{t('packs.size', { size: formatBytes(pack.sizeBytes, locale) })}</span>
        <span>
          {pack.installedVersion !== null
            ? t('packs.installedVersion', { version: pack.installedVersion })
            : t('packs.notInstalled')}
        </span>
        {pack.latestVersion !== null && (
          <span>{t('packs.latest', { version: pack.latestVersion })}</span>
        )}
      </p>
      {canUpdate && !busy && (
        <p class="pack-update" role="status" data-testid="pack-update">
          {t('packs.updateAvailable', {
            from: pack.installedVersion ?? 0,
            to: pack.latestVersion ?? 0,
            size: formatBytes(pack.sizeBytes, locale),
          })}
        </p>
      )}
      {pack.unusable && (
        <p class="pack-unusable" role="note" data-testid="pack-unusable">
          {t('packs.unusable', { version: pack.latestVersion ?? 0 })}
        </p>
      )}
      {pack.previousVersion !== null && (
        <p class="pack-previous">{t('packs.previous', { version: pack.previousVersion })}</p>
      )}
      {pack.progress && (
        <div class="pack-progress" data-testid="pack-progress">
          <progress max={100} value={percent} aria-label={pack.name} />
          <span>
            {pack.progress.loaded < pack.progress.total
              ? t('packs.downloading', {
                  version: pack.progress.version,
                  loaded: formatBytes(pack.progress.loaded, locale),
                  total: formatBytes(pack.progress.total, locale),
                })
              : t('packs.verifying', { version: pack.progress.version })}
          </span>
          <button type="button" onClick={actions.onCancel}>
            {t('packs.cancel')}
          </button>
        </div>
      )}
      {pack.error && (
        <p class="pack-error" role="alert" data-testid="pack-error">
          {pack.error}
        </p>
      )}
      {!busy && (
        <div class="pack-actions">
          {pack.installedVersion === null && pack.latestVersion !== null && !pack.unusable && (
            <button
              type="button"
              class="primary"
              disabled={!pack.online}
              onClick={actions.onInstall}
            >
              {t('packs.download')}
            </button>
          )}
          {canUpdate && (
            <button
              type="button"
              class="primary"
              disabled={!pack.online}
              onClick={actions.onInstall}
            >
              {t('packs.update', { version: pack.latestVersion ?? 0 })}
            </button>
          )}
          {pack.installedVersion !== null && !pack.active && (
            <button type="button" onClick={actions.onUse}>
              {t('packs.use')}
            </button>
          )}
          {pack.previousVersion !== null && (
            <button type="button" onClick={actions.onRollback}>
              {t('packs.rollback', { version: pack.previousVersion })}
            </button>
          )}
          {pack.installedVersion !== null && (
            <button type="button" class="danger" onClick={actions.onDelete}>
              {t('packs.delete')}
            </button>
          )}
        </div>
      )}
    </article>
  );
}
