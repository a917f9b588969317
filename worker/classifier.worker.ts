/**
 * The classifier Web Worker: holds the TF.js backend and the pack's model, decodes photos,
 * preprocesses them with the shared module and runs the model, so the page never freezes.
 * Spoken to only through src/model/classifier.ts (one request at a time).
 */
/// <reference lib="webworker" />
import { createPreprocessor, type RgbaImage } from '../shared/preprocess';
import type { PackMetadata } from '../shared/pack';
import { decodePhoto } from '../src/model/decode';
import {
  loadPackModel,
  memory,
  startBackend,
  type Executor,
  type PackModel,
} from '../src/model/engine';
import { ClassifierError, serializeError } from '../src/model/errors';
import type {
  ClassifyResult,
  LoadResult,
  RepeatResult,
  WorkerRequest,
  WorkerResponse,
} from '../src/model/protocol';
import { topLabels } from '../src/model/top';

declare const self: DedicatedWorkerGlobalScope;

let loaded:
  | { model: PackModel; metadata: PackMetadata; preprocess: (image: RgbaImage) => Float32Array }
  | undefined;

async function classify(photo: Blob | ImageBitmap): Promise<ClassifyResult> {
  if (!loaded) throw new ClassifierError('internal', 'classify before load');
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
  const probabilities = Array.from(output);
  return {
    probabilities,
    top: topLabels(probabilities, metadata.labels, 5),
    latencyMs: done - decoded,
    timings: {
      decodeMs: decoded - started,
      preprocessMs: preprocessed - decoded,
      inferenceMs: done - preprocessed,
    },
  };
}

async function handle(
  request: WorkerRequest,
): Promise<LoadResult | ClassifyResult | RepeatResult | ReturnType<typeof memory>> {
  switch (request.type) {
    case 'load': {
      const started = performance.now();
      loaded?.model.dispose();
      loaded = undefined;
      const { backend, details } = await startBackend(
        request.backends,
        request.wasmThreads ?? 'auto',
      );
      const executor: Executor = request.executor ?? 'fused';
      const model = await loadPackModel(request.modelJson, request.weightFiles, executor);
      const { width, height } = request.metadata.input;
      const warmStart = performance.now();
      await model.predict(new Float32Array(width * height * 3));
      const warmupMs = performance.now() - warmStart;
      loaded = {
        model,
        metadata: request.metadata,
        preprocess: createPreprocessor(request.metadata.preprocessing, request.metadata.input),
      };
      return {
        backend,
        details: `${details}; ${model.executor} executor`,
        loadMs: performance.now() - started,
        warmupMs,
      };
    }
    case 'classify':
      return classify(request.photo);
    case 'repeat': {
      const before = memory().numTensors;
      const latenciesMs: number[] = [];
      const timings: ClassifyResult['timings'][] = [];
      for (let i = 0; i < request.count; i++) {
        const result = await classify(request.photo);
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
