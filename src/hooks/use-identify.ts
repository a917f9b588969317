/**
 * One identification at a time: a photo goes to the classifier, the finished classification is
 * stored in the prediction log (awaited, so a shown result is a stored one), then shown. The last
 * result stays for the page's life, so it is still there after visiting another screen.
 */
import { useEffect, useState } from 'preact/hooks';
import { errorCode, isAbortError, type ErrorCode } from '../../shared/errors';
import type { Label } from '../../shared/pack';
import type { Classification, Classifier } from '../classifier/types';
import { recordPrediction } from '../sync';

export interface IdentifyState {
  busy: boolean;
  /** The last result, with the labels of the pack that made it. */
  result?: {
    classification: Classification;
    labels: readonly Label[];
    /** The engine's details (threads, SIMD, renderer), for "Technical details". */
    details: string;
    photoUrl: string;
    seq: number;
  };
  error?: { error: unknown; code: ErrorCode; seq: number };
}

let state: IdentifyState = { busy: false };
let running: AbortController | undefined;
let lastPhoto: Blob | undefined;
/** Increases with every result or error, so tests can wait for a new one. */
let seq = 0;
const listeners = new Set<() => void>();

function set(patch: Partial<IdentifyState>): void {
  state = { ...state, ...patch };
  for (const listener of listeners) listener();
}

/** The photo identified last (the bench repeats it). */
export function lastIdentifiedPhoto(): Blob | undefined {
  return lastPhoto;
}

/** Shows a failure that happened around identifying (the camera refused, say). */
export function showIdentifyError(error: unknown): void {
  set({ error: { error, code: errorCode(error), seq: ++seq } });
}

/** Identifies `photo` with `classifier`, cancelling any identification still running. */
export async function identify(classifier: Classifier, photo: Blob): Promise<void> {
  running?.abort();
  const controller = new AbortController();
  running = controller;
  lastPhoto = photo;
  const photoUrl = URL.createObjectURL(photo);
  set({ busy: true, error: undefined });
  try {
    const classification = await classifier.classify(photo, controller.signal);
    await recordPrediction(classification, classifier.metadata.labels);
    if (controller.signal.aborted) {
      URL.revokeObjectURL(photoUrl);
      return;
    }
    if (state.result) URL.revokeObjectURL(state.result.photoUrl);
    const labels = classifier.metadata.labels;
    const { details } = classifier;
    set({ result: { classification, labels, details, photoUrl, seq: ++seq } });
  } catch (failure) {
    URL.revokeObjectURL(photoUrl);
    if (isAbortError(failure)) return;
    console.error('identification failed', failure);
    if (state.result) URL.revokeObjectURL(state.result.photoUrl);
    set({ result: undefined });
    showIdentifyError(failure);
  } finally {
    if (running === controller) set({ busy: false });
  }
}

/** The identification state for rendering. */
export function useIdentify(): IdentifyState {
  const [snapshot, setSnapshot] = useState(state);
  useEffect(() => {
    const update = () => setSnapshot(state);
    listeners.add(update);
    update();
    return () => void listeners.delete(update);
  }, []);
  return snapshot;
}
