import { useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { errorMessage } from '../i18n/errors';
import { useOnline } from '../hooks/use-online';
import { usePackStore } from '../hooks/use-pack-store';
import { useStorageEstimate } from '../hooks/use-storage-estimate';
import { activeAfterDelete, packCards, type PackCardFacts } from '../registry/pack-cards';
import {
  activateModel,
  cancelInstall,
  checkPackUpdates,
  deleteModel,
  rollBack,
  setAutoUpdate,
  startInstall,
  type PackStoreState,
} from '../registry/pack-store';
import { formatBytes } from '../ui/format';
import { ConfirmDialog } from '../ui/ModalDialog';
import { PackCard } from '../ui/PackCard';
import { packTitle } from '../ui/names';
import { StorageInfo } from '../ui/StorageInfo';

/** The question before a pack is deleted: what Identify uses afterwards, what it frees. */
function DeleteQuestion(props: {
  pack: PackCardFacts;
  state: PackStoreState;
  onClose: () => void;
}) {
  const { t, locale } = useI18n();
  const { pack, state } = props;
  const title = (p: PackCardFacts) => packTitle(p, locale);
  const next = activeAfterDelete(state, pack.name);
  const nextCard = packCards(state).find((c) => c.name === next);
  return (
    <ConfirmDialog
      title={t('packs.delete.title', { title: title(pack) })}
      confirm={t('packs.delete')}
      cancel={t('packs.keep')}
      onClose={props.onClose}
      onConfirm={() => void deleteModel(pack.name)}
    >
      {pack.active && (
        <p>
          {nextCard
            ? t('packs.delete.inUseOther', { other: title(nextCard) })
            : t('packs.delete.inUseLast')}
        </p>
      )}
      <p>{t('packs.delete.frees', { size: formatBytes(pack.sizeBytes, locale) })}</p>
    </ConfirmDialog>
  );
}

/** Whether versions could be checked: offline or failed it says so; never "up to date" unchecked. */
function CheckNotice(props: { state: PackStoreState; online: boolean }) {
  const { t, locale } = useI18n();
  const { state, online } = props;
  if (!online)
    return (
      <p class="notice" role="status" data-testid="packs-offline">
        {t('packs.offline')}
      </p>
    );
  // One box from "checking" to its outcome, so nothing below it moves when the answer comes.
  if (state.checking)
    return (
      <p class="notice" role="status">
        {t('packs.checking')}
      </p>
    );
  if (state.checkError)
    return (
      <p class="notice" role="status" data-testid="packs-check-failed">
        {t('packs.checkFailed')} {errorMessage(t, state.checkError)}
      </p>
    );
  if (state.checkedAt && state.updates.length === 0 && state.installed.length > 0) {
    const time = new Intl.DateTimeFormat(locale, { timeStyle: 'short' });
    return (
      <p class="notice" role="status" data-testid="packs-up-to-date">
        {t('packs.upToDate', { time: time.format(new Date(state.checkedAt)) })}
      </p>
    );
  }
  return null;
}

/** The Models screen: packs in the registry and on the device, updates, storage. */
export function ModelsScreen() {
  const { t } = useI18n();
  const state = usePackStore();
  const online = useOnline();
  const { estimate, persist, persistAnswer } = useStorageEstimate(state.installed);
  const [deleting, setDeleting] = useState<string | null>(null);

  const install = async (name: string) => {
    // Ask once for persistent storage, so the browser does not evict packs under pressure.
    if (estimate.persisted === false) await persist(false);
    await startInstall(name);
  };

  const cards = packCards(state);
  const toDelete = cards.find((c) => c.name === deleting);
  // The list appears whole (what is on the device and what the registry offers), not card by card.
  const known = state.loaded && (!online || state.registry !== null || state.checkError !== null);
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
          {t('packs.check')}
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
      <CheckNotice state={state} online={online} />
      {!known && <p class="muted">{t('packs.loading')}</p>}
      {known && cards.length === 0 && (
        <p class="notice" role="status" data-testid="no-packs">
          {online ? t('packs.none') : t('error.no-pack-offline')}
        </p>
      )}
      <div class="pack-list" aria-busy={!known}>
        {known &&
          cards.map((card) => (
            <PackCard
              key={card.name}
              pack={{ ...card, error: card.error ? errorMessage(t, card.error) : null, online }}
              actions={{
                onInstall: () => void install(card.name),
                onCancel: () => cancelInstall(card.name),
                onUse: () => void activateModel(card.name),
                onSwitchVersion: () => void rollBack(card.name),
                onDelete: () => setDeleting(card.name),
              }}
            />
          ))}
      </div>
      {known && (
        <StorageInfo
          storage={estimate}
          persistAnswer={persistAnswer}
          onPersist={() => void persist()}
        />
      )}
      {toDelete && (
        <DeleteQuestion pack={toDelete} state={state} onClose={() => setDeleting(null)} />
      )}
    </section>
  );
}
