import { useCallback, useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { packErrorMessage } from '../registry/errors';
import {
  cancelInstall,
  checkPackUpdates,
  packsChanged,
  startInstall,
  type PackStoreState,
} from '../registry/pack-store';
import { usePackStore } from '../registry/use-pack-store';
import {
  deleteModel,
  getActiveVersion,
  getAutoUpdate,
  listInstalledModels,
  setActiveModel,
  setAutoUpdate,
  swapToPreviousVersion,
} from '../storage/model-packs';
import { PackCard, type PackCardView } from '../ui/PackCard';
import { StorageInfo, type StorageView } from '../ui/StorageInfo';
import { useOnline } from '../hooks/use-online';

type Installed = Awaited<ReturnType<typeof listInstalledModels>>;

async function readStorage(): Promise<StorageView> {
  const storage = navigator.storage as StorageManager | undefined;
  if (!storage?.estimate) return { usage: null, quota: null, persisted: null };
  const [estimate, persisted] = await Promise.all([
    storage.estimate(),
    storage.persisted?.() ?? Promise.resolve(null),
  ]);
  return { usage: estimate.usage ?? null, quota: estimate.quota ?? null, persisted };
}

/** Merges the registry's list with what is installed: one card per model, registry order first. */
function cardsFor(
  state: PackStoreState,
  installed: Installed,
  activeName: string | null,
  online: boolean,
): PackCardView[] {
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
      installedVersion: local?.model.current ?? null,
      previousVersion: local?.previous ? local.previous.version : null,
      active: local !== undefined && activeName === name,
      progress: install
        ? { version: install.version, loaded: install.loaded, total: install.total }
        : null,
      error: error ? packErrorMessage(error) : null,
      online,
    };
  });
}

/** The Models screen: packs in the registry and on the device, updates, storage. */
export function ModelsScreen() {
  const { t } = useI18n();
  const state = usePackStore();
  const online = useOnline();
  const [installed, setInstalled] = useState<Installed>([]);
  const [activeName, setActiveName] = useState<string | null>(null);
  const [autoUpdate, setAutoUpdateState] = useState(false);
  const [storage, setStorage] = useState<StorageView>({
    usage: null,
    quota: null,
    persisted: null,
  });

  const refresh = useCallback(async () => {
    const [list, active, auto, usage] = await Promise.all([
      listInstalledModels(),
      getActiveVersion(),
      getAutoUpdate(),
      readStorage(),
    ]);
    setInstalled(list);
    setActiveName(active?.name ?? null);
    setAutoUpdateState(auto);
    setStorage(usage);
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh, state.revision]);

  useEffect(() => {
    if (online) void checkPackUpdates();
  }, [online]);

  const act = (work: () => Promise<unknown>) => () => {
    void work().then(() => packsChanged());
  };
  const install = (name: string) => async () => {
    // Ask once for persistent storage, so the browser does not evict packs under pressure.
    if (navigator.storage?.persist && !(await navigator.storage.persisted()))
      await navigator.storage.persist();
    await startInstall(name);
  };

  const cards = cardsFor(state, installed, activeName, online);
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
            checked={autoUpdate}
            onChange={(event) => {
              const enabled = event.currentTarget.checked;
              setAutoUpdateState(enabled);
              void setAutoUpdate(enabled);
            }}
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
        installed.length > 0 && (
          <p class="notice" role="status" data-testid="packs-up-to-date">
            {t('packs.upToDate')}
          </p>
        )}
      {cards.length === 0 && (
        <p class="notice" role="status" data-testid="no-packs">
          {online ? t('packs.none') : t('packError.no-pack-offline')}
        </p>
      )}
      <div class="pack-list">
        {cards.map((card) => (
          <PackCard
            key={card.name}
            pack={card}
            actions={{
              onInstall: () => void install(card.name)(),
              onCancel: () => cancelInstall(card.name),
              onUse: act(() => setActiveModel(card.name)),
              onRollback: act(() => swapToPreviousVersion(card.name)),
              onDelete: act(() => deleteModel(card.name)),
            }}
          />
        ))}
      </div>
      <StorageInfo
        storage={storage}
        onPersist={() => void navigator.storage.persist().then(() => refresh())}
      />
    </section>
  );
}
