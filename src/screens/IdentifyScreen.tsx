import { useCallback, useEffect, useState } from 'preact/hooks';
import { useActivePack } from '../hooks/use-active-pack';
import { useCamera } from '../hooks/use-camera';
import { identify, showIdentifyError, useIdentify } from '../hooks/use-identify';
import { useOnline } from '../hooks/use-online';
import { usePackStore } from '../hooks/use-pack-store';
import { useReferencePhotos } from '../hooks/use-reference-photos';
import { useI18n } from '../i18n';
import { errorMessage } from '../i18n/errors';
import { useInstallPrompt } from '../install-prompt';
import { cancelInstall, checkPackUpdates, choosePack } from '../registry/pack-store';
import { ActivePack } from '../ui/ActivePack';
import { InstallOffer } from '../ui/InstallOffer';
import { ModelStatus } from '../ui/ModelStatus';
import { PackChoice } from '../ui/PackChoice';
import { PhotoInput } from '../ui/PhotoInput';
import { PredictionCard } from '../ui/PredictionCard';
import {
  activePackWords,
  modelState,
  otherPacks,
  packOptions,
  registryState,
  toPredictionView,
} from './identify-view';

const SWITCHER_ID = 'pack-switcher';

/**
 * The Identify screen: on the first start the choice of waters (packs); then the pack in use
 * (switchable here), a photo in, and the species with how sure the model is out.
 */
export function IdentifyScreen() {
  const { t, locale } = useI18n();
  const { status, retry } = useActivePack();
  const packs = usePackStore();
  const online = useOnline();
  const { busy, result, error } = useIdentify();
  const camera = useCamera();
  const installPrompt = useInstallPrompt();
  const [switching, setSwitching] = useState(false);
  const references = useReferencePhotos(result?.classification.model, result?.labels ?? []);
  const classifier = status.state === 'ready' ? status.classifier : undefined;

  // A photo dropped or pasted while the pack is still loading waits for it instead of being lost.
  const [waiting, setWaiting] = useState<Blob | null>(null);
  const loading = status.state === 'loading';
  const onPhoto = useCallback(
    (photo: Blob) => {
      if (classifier) void identify(classifier, photo);
      else if (loading) setWaiting(photo);
    },
    [classifier, loading],
  );
  useEffect(() => {
    if (!classifier || !waiting) return;
    setWaiting(null);
    void identify(classifier, waiting);
  }, [classifier, waiting]);

  // Paste a photo anywhere on the screen.
  useEffect(() => {
    const paste = (event: ClipboardEvent) => {
      const file = [...(event.clipboardData?.files ?? [])][0];
      if (file) {
        event.preventDefault();
        onPhoto(file);
      }
    };
    document.addEventListener('paste', paste);
    return () => document.removeEventListener('paste', paste);
  }, [onPhoto]);

  // A pack switched in closes the choice.
  useEffect(() => setSwitching(false), [packs.active?.name]);

  const options = packOptions(packs, locale, t);
  const choice = (first: boolean) => (
    <PackChoice
      id={SWITCHER_ID}
      first={first}
      options={options}
      online={online}
      registry={registryState(packs, online)}
      onChoose={(name) => void choosePack(name)}
      onCancel={cancelInstall}
      onRetry={() => void checkPackUpdates()}
    />
  );
  if (status.state === 'choose') {
    return (
      <section class="identify" aria-labelledby="identify-title">
        <h1 id="identify-title">{t('identify.title')}</h1>
        {choice(true)}
      </section>
    );
  }

  const active = activePackWords(packs, locale);
  const tryPack = (name: string) => {
    setSwitching(true);
    void choosePack(name);
    requestAnimationFrame(() => document.getElementById(SWITCHER_ID)?.scrollIntoView());
  };
  const openCamera = () => camera.start().catch(showIdentifyError);
  const captureFrame = async () => {
    const still = await camera.capture();
    if (still) onPhoto(still);
  };

  return (
    <section class="identify" aria-labelledby="identify-title" aria-busy={busy}>
      <h1 id="identify-title">{t('identify.title')}</h1>
      <ActivePack
        title={active?.title ?? ''}
        speciesCount={active?.speciesCount ?? 0}
        open={switching}
        controls={SWITCHER_ID}
        onToggle={() => setSwitching(!switching)}
      >
        <ModelStatus status={modelState(status, t)} onRetry={retry} />
      </ActivePack>
      {switching && choice(false)}
      <PhotoInput
        onPhoto={onPhoto}
        disabled={!classifier}
        extra={
          camera.supported && !camera.open ? (
            <button
              type="button"
              disabled={!classifier}
              data-testid="camera-open"
              onClick={() => void openCamera()}
            >
              {t('identify.useCamera')}
            </button>
          ) : undefined
        }
      />
      {!result && <p class="muted identify-intro">{t('identify.intro')}</p>}
      {!camera.supported && (
        <p class="muted" data-testid="camera-unsupported">
          {t('identify.cameraUnsupported')}
        </p>
      )}
      {camera.open && (
        <div class="camera" data-testid="camera" data-live={String(camera.live)}>
          <video
            ref={camera.video}
            autoPlay
            playsInline
            muted
            aria-label={t('identify.useCamera')}
            onLoadedData={camera.onFrames}
          />
          <div class="photo-buttons">
            <button
              type="button"
              class="primary"
              disabled={busy || !camera.live}
              onClick={() => void captureFrame()}
            >
              {t('identify.capture')}
            </button>
            <button type="button" onClick={camera.stop}>
              {t('identify.closeCamera')}
            </button>
          </div>
        </div>
      )}
      {(busy || waiting) && (
        <p class="working" role="status" data-testid="identify-busy">
          {t('identify.working')}
        </p>
      )}
      {error && (
        <p
          class="error"
          role="alert"
          data-testid="identify-error"
          data-code={error.code}
          data-seq={String(error.seq)}
        >
          {errorMessage(t, error.error)}
        </p>
      )}
      {result && !error && (
        <PredictionCard
          key={result.seq}
          view={toPredictionView(result.classification, result.labels, result.seq, result.details)}
          photoUrl={result.photoUrl}
          references={references}
          pack={{ title: active?.title ?? '', speciesCount: result.labels.length }}
          otherPacks={otherPacks(options)}
          onTryPack={tryPack}
        />
      )}
      {installPrompt.canInstall && (
        <InstallOffer
          onInstall={() => void installPrompt.install()}
          onDismiss={installPrompt.dismiss}
        />
      )}
    </section>
  );
}
