import { useI18n, type Translate } from '../i18n';
import { errorMessage } from '../i18n/errors';
import { useOnline } from '../hooks/use-online';
import { usePackStore } from '../hooks/use-pack-store';
import { useStorageEstimate } from '../hooks/use-storage-estimate';
import {
  cancelInstall,
  checkPackUpdates,
  deleteModel,
  rollBack,
  setAutoUpdate,
  startInstall,
  activateModel,
  type PackStoreState,
} from '../registry/pack-store';
import { PackCard, type PackCardView } from '../ui/PackCard';
import { StorageInfo } from '../ui/StorageInfo';

/** Merges the registry's list with what is installed: one card per model, registry order first. */
function cardsFor(state: PackStoreState, online: boolean, t: Translate): PackCardView[] {
  const { installed } = state;
  const names = [
    ...(state.registry ?? []).map((m) => m.name),
    ...installed.map((i) => i.model.name),
  ];
  return [...new Set(names)].map((name) => {
    const remote = state.registry?.find((m) => m.name === name);
    const local = installed.find((i) => i.model.name === name);
    const error = state.errors[name];
    const install = state.installs[name];
    return {
      name,
      description: remote?.description ?? local?.current.metadata.description ?? '',
      labelCount: remote?.labelCount ?? local?.current.metadata.labels.length ?? 0,
      sizeBytes: remote?.sizeBytes ?? local?.current.sizeBytes ?? 0,
      latestVersion: remote?.version ?? null,
      unusable: remote?.unusable !== undefined,
      installedVersion: local?.model.current ?? null,
      previousVersion: local?.previous ? local.previous.version : null,
      active: local !== undefined && state.active?.name === name,
      progress: install
        ? { version: install.version, loaded: install.loaded, total: install.total }
        : null,
      error: error ? errorMessage(t, error) : null,
      online,
    };
  });
}

/** The Models screen: packs in the registry and on the device, updates, storage. */
export function ModelsScreen() {
  const { t } = useI18n();
  const state = usePackStore();
  const online = useOnline();
  const { estimate, persist } = useStorageEstimate(state.installed);

  const install = async (name: string) => {
    // Ask once for persistent storage, so the browser does not evict packs under pressure.
    if (estimate.persisted === false) await persist();
    await startInstall(name);
  };

  const cards = cardsFor(state, online, t);
  return (
    <section aria-labelledby="models-title" class="models-screen">
      <h1 id="models-title">{t('models.title')}</h1>
      <p>{t('models.intro')}</p>
      <div class="models-toolbar">
        <button
          type="button"
          disabled={!online || state.checking}
          onClick={() => void checkPackUpdates()}
          data-testid="check-updates"
        >
          {state.checking ? t('packs.checking') : t('packs.check')}
        </button>
        <label class="toggle">
          <input
            type="checkbox"
            checked={state.autoUpdate}
            onChange={(event) => void setAutoUpdate(event.currentTarget.checked)}
          />
          {t('packs.autoUpdate')}
        </label>
      </div>
      {state.checkError && (
        <p class="notice" role="status">
          {t('packs.offlineRegistry')}
        </p>
      )}
      {!state.checking &&
        state.registry &&
        !state.checkError &&
        state.updates.length === 0 &&
        state.installed.length > 0 && (
          <p class="notice" role="status" data-testid="packs-up-to-date">
            {t('packs.upToDate')}
          </p>
        )}
      {cards.length === 0 && (
        <p class="notice" role="status" data-testid="no-packs">
          {online ? t('packs.none') : t('error.no-pack-offline')}
        </p>
      )}
      <div class="pack-list">
        {cards.map((card) => (
          <PackCard
            key={card.name}
            pack={card}
            actions={{
              onInstall: () => void install(card.name),
              onCancel: () => cancelInstall(card.name),
              onUse: () => void activateModel(card.name),
              onRollback: () => void rollBack(card.name),
              onDelete: () => void deleteModel(card.name),
            }}
          />
        ))}
      </div>
      <StorageInfo storage={estimate} onPersist={() => void persist()} />
    </section>
  );
}
