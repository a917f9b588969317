import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Label } from '../../shared/pack';
import { useI18n, type Translate } from '../i18n';
import type { MessageKey } from '../i18n/messages';
import {
  isAbortError,
  loadClassifier,
  type Backend,
  type FishlensClassifier,
  type LoadedPack,
} from '../model';
import type { Classification } from '../model/types';
import { PackError, packErrorMessage } from '../registry/errors';
import { fetchRegistryPack, listRegistryModels, PackSourceError } from '../registry/network-pack';
import { onActivePackChanged } from '../registry/pack-store';
import { ensureActivePack } from '../registry/packs';
import { ModelStatus, type ModelState } from '../ui/ModelStatus';
import { PhotoInput } from '../ui/PhotoInput';
import { PredictionCard, type PredictionView } from '../ui/PredictionCard';
import { handOffClassification, makeThumbnail } from './identify-hand-off';

/** Where the Identify screen gets its pack: the registry over the network until issue 6's installed packs. */
export type PackLoader = (signal: AbortSignal) => Promise<LoadedPack>;

const PREFERRED_PACK = 'river-fish';

/** `?model=` picks the pack, `?backend=wasm,cpu` the backends, `?executor=layers` the stock executor. */
function pageOptions() {
  const params = new URLSearchParams(location.search);
  const backends = params
    .get('backend')
    ?.split(',')
    .filter((b): b is Backend => b === 'webgl' || b === 'wasm' || b === 'cpu');
  const executor = params.get('executor') === 'layers' ? ('layers' as const) : undefined;
  return {
    model: params.get('model') ?? undefined,
    backends: backends?.length ? backends : undefined,
    executor,
    wasmThreads:
      params.get('threads') === 'off'
        ? false
        : params.get('threads') === 'on'
          ? true
          : ('auto' as const),
  };
}

/** The registry's production version of `?model=` or of the preferred demo pack. */
const networkPack: PackLoader = async (signal) => {
  let name = pageOptions().model;
  if (!name) {
    const models = await listRegistryModels({ signal });
    name = (models.find((m) => m.name === PREFERRED_PACK) ?? models[0])?.name;
  }
  if (!name) throw new PackSourceError('model-not-found', 'the registry has no packs');
  return fetchRegistryPack(name, { signal });
};

/** The active installed pack (issue 6); the first online visit downloads the default pack once. */
const installedPack: PackLoader = (signal) => ensureActivePack({ signal });

/** Kept across route changes, so going to History and back does not reload the model. */
let cached: { promise: Promise<FishlensClassifier>; controller: AbortController } | undefined;

// Issue 6: an update switched in, a roll back or another pack chosen drops the cached classifier;
// a mounted screen then loads the new active pack.
const reloadListeners = new Set<() => void>();
onActivePackChanged((active) => {
  const old = cached;
  void old?.promise.then(
    (ready) => {
      if (
        active &&
        ready.model.name === active.name &&
        ready.model.version === String(active.version)
      )
        return;
      if (cached === old) cached = undefined;
      ready.dispose();
      reloadListeners.forEach((reload) => reload());
    },
    () => {},
  );
});

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'internal';
}

function errorMessage(t: Translate, error: unknown): string {
  if (error instanceof PackError) {
    const { key, params } = packErrorMessage(error);
    return t(key, params);
  }
  return t(`error.${errorCode(error)}` as MessageKey);
}

let resultSeq = 0;

function toView(classification: Classification, labels: readonly Label[]): PredictionView {
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
    seq: ++resultSeq,
  };
}

declare global {
  interface Window {
    /** Test and bench hooks into the loaded classifier (no UI uses them). */
    fishlensDebug?: {
      classifier: FishlensClassifier;
      memory: FishlensClassifier['memory'];
      /** Classifies the last photo `count` more times in the worker. */
      repeatLast: (count: number) => ReturnType<FishlensClassifier['repeat']>;
    };
  }
}

/** The Identify screen: a photo in, the species and how sure the model is out. */
export function IdentifyScreen(props: {
  loadPack?: PackLoader;
  onClassified?: typeof handOffClassification;
}) {
  const { t } = useI18n();
  const loadPack = props.loadPack ?? (pageOptions().model ? networkPack : installedPack);
  const onClassified = props.onClassified ?? handOffClassification;
  const [status, setStatus] = useState<ModelState>({ state: 'loading' });
  const [classifier, setClassifier] = useState<FishlensClassifier>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string; seq: number }>();
  const [result, setResult] = useState<{ view: PredictionView; photoUrl: string }>();
  const [camera, setCamera] = useState<MediaStream>();
  /** The live view shows frames (a capture before that would find no pixels). */
  const [cameraLive, setCameraLive] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  const running = useRef<AbortController>();
  const lastPhoto = useRef<Blob>();

  const load = useCallback(() => {
    if (!cached) {
      const controller = new AbortController();
      const options = pageOptions();
      cached = {
        controller,
        promise: loadPack(controller.signal).then((pack) => {
          setStatus({ state: 'loading', model: pack.name, version: pack.version });
          return loadClassifier(pack, {
            backends: options.backends,
            executor: options.executor,
            wasmThreads: options.wasmThreads,
            signal: controller.signal,
          });
        }),
      };
      cached.promise.catch(() => (cached = undefined));
    }
    let live = true;
    cached.promise.then(
      (ready) => {
        if (!live) return;
        setClassifier(ready);
        setStatus({
          state: 'ready',
          model: ready.model.name,
          version: ready.model.version,
          backend: ready.backend,
          details: ready.details,
        });
        window.fishlensDebug = {
          classifier: ready,
          memory: () => ready.memory(),
          repeatLast: (count) =>
            lastPhoto.current
              ? ready.repeat(lastPhoto.current, count)
              : Promise.reject(new Error('no photo yet')),
        };
      },
      (failure: unknown) => {
        if (!live || isAbortError(failure)) return;
        console.error('model load failed', failure);
        const none = failure instanceof PackSourceError && failure.code === 'model-not-found';
        const message =
          failure instanceof PackError
            ? errorMessage(t, failure)
            : `${t('identify.model.error')} ${errorMessage(t, failure)}`;
        setStatus({ state: 'error', message: none ? t('identify.model.none') : message });
      },
    );
    return () => {
      live = false;
    };
  }, [loadPack, t]);

  useEffect(load, []);
  useEffect(() => {
    const reload = () => {
      setClassifier(undefined);
      setStatus({ state: 'loading' });
      load();
    };
    reloadListeners.add(reload);
    return () => void reloadListeners.delete(reload);
  }, [load]);

  const identify = useCallback(
    async (photo: Blob | ImageBitmap, photoUrl: string) => {
      if (!classifier) return;
      running.current?.abort();
      const controller = new AbortController();
      running.current = controller;
      setBusy(true);
      setError(undefined);
      try {
        // The History thumbnail is made while the worker classifies (it never rejects).
        const thumbnailing = photo instanceof Blob ? makeThumbnail(photo) : Promise.resolve(null);
        const classification = await classifier.classify(photo, controller.signal);
        const thumbnail = await thumbnailing;
        await onClassified(classification, thumbnail);
        if (controller.signal.aborted) return;
        setResult((previous) => {
          if (previous) URL.revokeObjectURL(previous.photoUrl);
          return { view: toView(classification, classifier.model.metadata.labels), photoUrl };
        });
      } catch (failure) {
        if (isAbortError(failure)) return;
        console.error('identification failed', failure);
        URL.revokeObjectURL(photoUrl);
        setResult(undefined);
        setError({ code: errorCode(failure), message: errorMessage(t, failure), seq: ++resultSeq });
      } finally {
        if (running.current === controller) setBusy(false);
      }
    },
    [classifier, onClassified, t],
  );

  const onPhoto = useCallback(
    (photo: Blob) => {
      lastPhoto.current = photo;
      void identify(photo, URL.createObjectURL(photo));
    },
    [identify],
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

  // Live camera: attach the stream to the video element, stop it when closed or on leaving.
  useEffect(() => {
    if (video.current && camera) video.current.srcObject = camera;
    return () => camera?.getTracks().forEach((track) => track.stop());
  }, [camera]);

  const openCamera = async () => {
    try {
      setCameraLive(false);
      setCamera(
        await navigator.mediaDevices.getUserMedia({
          video: { facingMode: 'environment' },
          audio: false,
        }),
      );
    } catch (failure) {
      console.warn('camera unavailable', failure);
      // NotAllowedError: the person or a policy refused; anything else (no camera, in use): unavailable.
      const code =
        failure instanceof DOMException && failure.name === 'NotAllowedError'
          ? 'camera-denied'
          : 'camera-unavailable';
      setError({ code, message: t(`error.${code}`), seq: ++resultSeq });
    }
  };

  const captureFrame = async () => {
    const element = video.current;
    if (!element || element.videoWidth === 0) return;
    const frame = await createImageBitmap(element);
    const canvas = new OffscreenCanvas(frame.width, frame.height);
    canvas.getContext('2d')?.drawImage(frame, 0, 0);
    const still = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    frame.close();
    onPhoto(still);
  };

  const cameraSupported = typeof navigator.mediaDevices?.getUserMedia === 'function';

  return (
    <section class="screen identify" aria-labelledby="identify-title" aria-busy={busy}>
      <h1 id="identify-title">{t('identify.title')}</h1>
      <p class="muted">{t('identify.intro')}</p>
      <ModelStatus
        status={status}
        onRetry={() => {
          setStatus({ state: 'loading' });
          load();
        }}
      />
      <PhotoInput
        onPhoto={onPhoto}
        disabled={!classifier}
        extra={
          cameraSupported && !camera ? (
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
      {!cameraSupported && (
        <p class="muted" data-testid="camera-unsupported">
          {t('identify.cameraUnsupported')}
        </p>
      )}
      {camera && (
        <div class="camera" data-testid="camera" data-live={String(cameraLive)}>
          <video
            ref={video}
            autoPlay
            playsInline
            muted
            aria-label={t('identify.useCamera')}
            onLoadedData={() => setCameraLive(true)}
          />
          <div class="photo-buttons">
            <button
              type="button"
              class="primary"
              disabled={busy || !cameraLive}
              onClick={() => void captureFrame()}
            >
              {t('identify.capture')}
            </button>
            <button type="button" onClick={() => setCamera(undefined)}>
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
          {error.message}
        </p>
      )}
      {result && !error && <PredictionCard view={result.view} photoUrl={result.photoUrl} />}
    </section>
  );
}
