/**
 * The classifier Web Worker: holds the TF.js backend and the pack's model, decodes photos,
 * preprocesses them with the shared module and runs the model, so the page never freezes.
 * Spoken to only through the page's bridge (src/classifier/bridge.ts), one request at a time.
 */
/// <reference lib="webworker" />
import { decide } from '../../shared/decision';
import { FishlensError, serializeError } from '../../shared/errors';
import { memory } from './backends';
import { decodePhoto } from './decode';
import { load, prepare, type LoadedModel } from './loader';
import type {
  ClassifyResult,
  LoadResult,
  PrepareResult,
  RepeatResult,
  WorkerRequest,
  WorkerResponse,
} from './protocol';
import { makeThumbnail } from './thumbnail';
import { topLabels } from './top';

declare const self: DedicatedWorkerGlobalScope;

let loaded: LoadedModel | undefined;

/** Decodes, preprocesses and classifies one photo; the thumbnail only when asked (not in repeats). */
async function classify(
  photo: Blob | ImageBitmap,
  withThumbnail: boolean,
): Promise<ClassifyResult> {
  if (!loaded) throw new FishlensError('internal', 'classify before load');
  const { model, metadata, preprocess, afterForward } = loaded;
  const started = performance.now();
  const image = await decodePhoto(photo);
  const decoded = performance.now();
  // The shared preprocessing's reusable path: the same floats as training and eval, no
  // per-photo allocations; `input` is overwritten by the next call, after predict has copied it.
  const input = preprocess(image);
  const preprocessed = performance.now();
  const output = await model.predict(input);
  const done = performance.now();
  afterForward(done - preprocessed);
  const decision = decide(output, metadata);
  // What the page shows is calibrated: the top labels come from the decision, not the raw output.
  const calibrated = new Array<number>(decision.ranked.length);
  for (const r of decision.ranked) calibrated[r.index] = r.probability;
  return {
    probabilities: Array.from(output.probabilities),
    decision,
    top: topLabels(calibrated, metadata.labels, 5),
    latencyMs: done - decoded,
    timings: {
      decodeMs: decoded - started,
      preprocessMs: preprocessed - decoded,
      inferenceMs: done - preprocessed,
    },
    // After the model, not beside it: made concurrently it took CPU from the forward pass and
    // answers came later (bench:startup, 2 busy cores: steady answer 73.9 vs 62.5 ms median).
    thumbnail: withThumbnail ? await makeThumbnail(image) : null,
  };
}

async function handle(
  request: WorkerRequest,
): Promise<PrepareResult | LoadResult | ClassifyResult | RepeatResult | ReturnType<typeof memory>> {
  switch (request.type) {
    case 'prepare':
      return prepare(request);
    case 'load': {
      loaded?.model.dispose();
      loaded = undefined;
      const done = await load(request);
      loaded = done.loaded;
      return done.result;
    }
    case 'classify':
      return classify(request.photo, true);
    case 'repeat': {
      const before = memory().numTensors;
      const latenciesMs: number[] = [];
      const timings: ClassifyResult['timings'][] = [];
      for (let i = 0; i < request.count; i++) {
        const result = await classify(request.photo, false);
        latenciesMs.push(result.latencyMs);
        timings.push(result.timings);
      }
      return {
        latenciesMs,
        timings,
        numTensorsBefore: before,
        numTensorsAfter: memory().numTensors,
      };
    }
    case 'memory':
      return memory();
  }
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  handle(request).then(
    (result) => self.postMessage({ id: request.id, ok: true, result } satisfies WorkerResponse),
    (error: unknown) =>
      self.postMessage({
        id: request.id,
        ok: false,
        error: serializeError(error),
      } satisfies WorkerResponse),
  );
};
