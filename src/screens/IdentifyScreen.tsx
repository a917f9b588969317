import { useCallback, useEffect } from 'preact/hooks';
import { errorCode, FishlensError } from '../../shared/errors';
import type { Label } from '../../shared/pack';
import type { Classification } from '../classifier/types';
import { useActivePack, type ActivePackState } from '../hooks/use-active-pack';
import { useCamera } from '../hooks/use-camera';
import { identify, showIdentifyError, useIdentify } from '../hooks/use-identify';
import { useI18n, type Translate } from '../i18n';
import { errorMessage } from '../i18n/errors';
import { ModelStatus, type ModelState } from '../ui/ModelStatus';
import { PhotoInput } from '../ui/PhotoInput';
import { PredictionCard, type PredictionView } from '../ui/PredictionCard';

function toView(
  classification: Classification,
  labels: readonly Label[],
  seq: number,
): PredictionView {
  const ranked = classification.probabilities
    .map((probability, index) => ({ label: labels[index]!, probability }))
    .filter((row) => row.label)
    .sort((a, b) => b.probability - a.probability);
  return {
    ranked,
    notSure: classification.notSure,
    model: classification.model,
    backend: classification.backend,
    latencyMs: classification.latencyMs,
    seq,
  };
}

function modelState(status: ActivePackState, t: Translate): ModelState {
  switch (status.state) {
    case 'loading':
      return {
        state: 'loading',
        ...(status.pack ? { model: status.pack.name, version: status.pack.version } : {}),
      };
    case 'ready': {
      const { classifier } = status;
      return {
        state: 'ready',
        model: classifier.pack.name,
        version: classifier.pack.version,
        backend: classifier.backend,
        details: classifier.details,
      };
    }
    case 'error': {
      const code = errorCode(status.error);
      const own = status.error instanceof FishlensError && code !== 'internal';
      const message = own
        ? errorMessage(t, status.error)
        : `${t('identify.model.error')} ${errorMessage(t, status.error)}`;
      return { state: 'error', message };
    }
  }
}

/** The Identify screen: a photo in, the species and how sure the model is out. */
export function IdentifyScreen() {
  const { t } = useI18n();
  const { status, retry } = useActivePack();
  const { busy, result, error } = useIdentify();
  const camera = useCamera();
  const classifier = status.state === 'ready' ? status.classifier : undefined;

  const onPhoto = useCallback(
    (photo: Blob) => {
      if (classifier) void identify(classifier, photo);
    },
    [classifier],
  );

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

  const openCamera = () => camera.start().catch(showIdentifyError);
  const captureFrame = async () => {
    const still = await camera.capture();
    if (still) onPhoto(still);
  };

  return (
    <section class="screen identify" aria-labelledby="identify-title" aria-busy={busy}>
      <h1 id="identify-title">{t('identify.title')}</h1>
      <p class="muted">{t('identify.intro')}</p>
      <ModelStatus status={modelState(status, t)} onRetry={retry} />
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
      {busy && (
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
          view={toView(result.classification, result.labels, result.seq)}
          photoUrl={result.photoUrl}
        />
      )}
    </section>
  );
}
