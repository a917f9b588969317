/**
 * The classifier Web Worker: holds the TF.js backend and the pack's model, decodes photos,
 * preprocesses them with the shared module and runs the model, so the page never freezes.
 * Spoken to only through the page's bridge (src/classifier/bridge.ts), one request at a time.
 */
/// <reference lib="webworker" />
import { decide } from '../../shared/decision';
import { FishlensError, serializeError } from '../../shared/errors';
import type { PackMetadata } from '../../shared/pack';
import { createPreprocessor, type RgbaImage } from '../../shared/preprocess';
import { backendOrder, memory, startBackend } from './backends';
import { decodePhoto } from './decode';
import { loadPackModel, type PackModel } from './pack-model';
import type {
  ClassifyResult,
  LoadRequest,
  LoadResult,
  RepeatResult,
  WorkerRequest,
  WorkerResponse,
} from './protocol';
import { makeThumbnail } from './thumbnail';
import { topLabels } from './top';

declare const self: DedicatedWorkerGlobalScope;

let loaded:
  | { model: PackModel; metadata: PackMetadata; preprocess: (image: RgbaImage) => Float32Array }
  | undefined;

/** Decodes, preprocesses and classifies one photo; the thumbnail only when asked (not in repeats). */
async function classify(
  photo: Blob | ImageBitmap,
  withThumbnail: boolean,
): Promise<ClassifyResult> {
  if (!loaded) throw new FishlensError('internal', 'classify before load');
  const { model, metadata, preprocess } = loaded;
  const started = performance.now();
  const image = await decodePhoto(photo);
  const decoded = performance.now();
  // The shared preprocessing's reusable path: the same floats as training and eval, no
  // per-photo allocations; `input` is overwritten by the next call, after predict has copied it.
  const input = preprocess(image);
  const preprocessed = performance.now();
  const output = await model.predict(input);
  const done = performance.now();
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
    thumbnail: withThumbnail ? await makeThumbnail(image) : null,
  };
}

/**
 * Starts the backends in order until the model loads and warms up on one: a backend can start and
 * still fail this model (a GPU driver bug, a WASM-threads problem of this device), and the next one
 * decides. A pack that runs nowhere is refused with the first model error.
 */
async function load(request: LoadRequest): Promise<LoadResult> {
  loaded?.model.dispose();
  loaded = undefined;
  let remaining = backendOrder(request.backends);
  const failures: unknown[] = [];
  while (remaining.length > 0) {
    let started;
    try {
      started = await startBackend(remaining, request.wasmThreads ?? 'auto');
    } catch (error) {
      if (failures.length > 0) break;
      throw error;
    }
    const { backend, details } = started;
    remaining = remaining.slice(remaining.indexOf(backend) + 1);
    let model: PackModel | undefined;
    try {
      model = await loadPackModel(request.modelJson, request.weightFiles, {
        ...(request.executor ? { executor: request.executor } : {}),
        labelCount: request.metadata.labels.length,
        input: request.metadata.input,
        ...(request.metadata.unknown ? { featureLayer: request.metadata.unknown.layer } : {}),
      });
      const { width, height } = request.metadata.input;
      await model.predict(new Float32Array(width * height * 3));
      loaded = {
        model,
        metadata: request.metadata,
        preprocess: createPreprocessor(request.metadata.preprocessing, request.metadata.input),
      };
      return { backend, details: `${details}; ${model.executor} executor` };
    } catch (error) {
      model?.dispose();
      console.warn(`The model did not run on ${backend}; trying the next backend`, error);
      failures.push(error);
    }
  }
  throw failures.find((e) => e instanceof FishlensError) ?? failures[0];
}

async function handle(
  request: WorkerRequest,
): Promise<LoadResult | ClassifyResult | RepeatResult | ReturnType<typeof memory>> {
  switch (request.type) {
    case 'load':
      return load(request);
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
