/**
 * Getting the classifier worker ready: `prepare` starts a backend as soon as the worker exists
 * (the page reads the pack from storage meanwhile), `load` builds and warms up the pack's model on
 * it, falling back to the next backend when the model does not run there. Under `auto` WASM
 * threads, warm-up measures one thread against the pool (or applies this pack's remembered
 * tuning) and installs the guard, or, where that settles on one thread, builds the model again on
 * the backend started without threads (threads.ts).
 */
import { FishlensError } from '../../shared/errors';
import type { PackMetadata } from '../../shared/pack';
import { createPreprocessor, type RgbaImage } from '../../shared/preprocess';
import { backendPlan, startBackend, type BackendPlan } from './backends';
import { loadPackModel, type PackModel } from './pack-model';
import type {
  Backend,
  BackendRequest,
  LoadRequest,
  LoadResult,
  LoadTimings,
  PrepareResult,
  ThreadTuning,
} from './protocol';
import { chooseThreads, threadGuard } from './threads';

export interface LoadedModel {
  model: PackModel;
  metadata: PackMetadata;
  preprocess: (image: RgbaImage) => Float32Array;
  /** Told each forward pass's time: the WASM thread guard (threads.ts). */
  afterForward: (ms: number) => void;
}

type Started = Awaited<ReturnType<typeof startBackend>>;

/** A backend started by `prepare`, waiting for the pack. */
let prepared:
  { plan: BackendPlan; started: Started; probeMs: number; backendMs: number } | undefined;

/** The WASM thread count to start with: `auto` measures unless a tuning is remembered. */
function startThreads(request: BackendRequest): number | 'auto' {
  const setting = request.wasmThreads ?? 'auto';
  if (setting === 'auto') return request.threadTuning?.threads ?? 'auto';
  return setting ? Number.POSITIVE_INFINITY : 1;
}

const since = (start: number) => Math.round((performance.now() - start) * 10) / 10;

async function plan(request: BackendRequest): Promise<{ plan: BackendPlan; probeMs: number }> {
  const start = performance.now();
  return { plan: await backendPlan(request.backends), probeMs: since(start) };
}

async function start(candidates: Backend[], request: BackendRequest, gpu: BackendPlan['gpu']) {
  const begin = performance.now();
  const started = await startBackend(candidates, { wasmThreads: startThreads(request), gpu });
  return { started, backendMs: since(begin) };
}

/** Starts the first backend that works, for the `load` that follows. */
export async function prepare(request: BackendRequest): Promise<PrepareResult> {
  prepared = undefined;
  const { plan: order, probeMs } = await plan(request);
  const { started, backendMs } = await start(order.order, request, order.gpu);
  prepared = { plan: order, started, probeMs, backendMs };
  return { backend: started.backend, details: started.details };
}

/**
 * Builds and warms up the model on the prepared backend, else on the first that starts; a backend
 * that starts and still fails this model (a GPU driver bug, a WASM-threads problem of this device)
 * hands over to the next. A pack that runs nowhere is refused with the first model error.
 */
export async function load(
  request: LoadRequest,
): Promise<{ loaded: LoadedModel; result: LoadResult }> {
  const timings: LoadTimings = { probeMs: 0, backendMs: 0, buildMs: 0, warmUpMs: 0, threadsMs: 0 };
  let next = prepared;
  prepared = undefined;
  let candidates: Backend[];
  let gpu: BackendPlan['gpu'];
  if (next) {
    ({ order: candidates, gpu } = next.plan);
    timings.probeMs = next.probeMs;
  } else {
    const planned = await plan(request);
    ({ order: candidates, gpu } = planned.plan);
    timings.probeMs = planned.probeMs;
  }
  const failures: unknown[] = [];
  while (candidates.length > 0) {
    let started: Started;
    try {
      if (next) {
        started = next.started;
        timings.backendMs += next.backendMs;
        next = undefined;
      } else {
        const begun = await start(candidates, request, gpu);
        started = begun.started;
        timings.backendMs += begun.backendMs;
      }
    } catch (error) {
      if (failures.length > 0) break;
      throw error;
    }
    const { backend } = started;
    candidates = candidates.slice(candidates.indexOf(backend) + 1);
    let model: PackModel | undefined;
    try {
      let lap = performance.now();
      model = await buildModel(request);
      timings.buildMs = since(lap);
      lap = performance.now();
      const { loaded, result } = await warmUp(model, request, started);
      timings.warmUpMs = since(lap) - result.threadsMs;
      timings.threadsMs = result.threadsMs;
      return { loaded, result: { ...result.load, timings } };
    } catch (error) {
      model?.dispose();
      console.warn(`The model did not run on ${backend}; trying the next backend`, error);
      failures.push(error);
    }
  }
  throw failures.find((e) => e instanceof FishlensError) ?? failures[0];
}

/** The pack's model on the current backend. */
function buildModel(request: LoadRequest): Promise<PackModel> {
  return loadPackModel(request.modelJson, request.weightFiles, {
    ...(request.executor ? { executor: request.executor } : {}),
    labelCount: request.metadata.labels.length,
    input: request.metadata.input,
    ...(request.metadata.unknown ? { featureLayer: request.metadata.unknown.layer } : {}),
  });
}

/**
 * The first forward pass (XNNPACK packs its weights, GPUs compile), then the thread policy. Where
 * it settles on one thread, the model moves to a backend started without threads (threads.ts).
 */
async function warmUp(first: PackModel, request: LoadRequest, started: Started) {
  let model = first;
  const { width, height } = request.metadata.input;
  const zeros = new Float32Array(width * height * 3);
  await model.predict(zeros);
  const { threads } = started;
  let details = started.details;
  let pool = threads ? ` (${threads.size()} in XNNPACK's pool)` : '';
  let threadTuning: ThreadTuning | undefined;
  let afterForward = (_ms: number) => {};
  const begin = performance.now();
  if (threads && (request.wasmThreads ?? 'auto') === 'auto') {
    const choice = await chooseThreads(threads, request.threadTuning, () => model.predict(zeros));
    threadTuning = choice.tuning;
    pool = ` (${threads.size()} in XNNPACK's pool)`;
    if (choice.withoutThreads && started.withoutThreads) {
      model.dispose();
      ({ details } = await started.withoutThreads());
      pool = '';
      model = await buildModel(request);
      await model.predict(zeros).catch((error: unknown) => {
        model.dispose();
        throw error;
      });
    } else {
      afterForward = threadGuard(threads, threadTuning);
    }
  }
  const threadsMs = since(begin);
  const measured = threadTuning
    ? `; measured 1 thread ${threadTuning.oneThreadMs} ms, ${threadTuning.max} threads ${threadTuning.manyThreadsMs} ms`
    : '';
  return {
    loaded: {
      model,
      metadata: request.metadata,
      preprocess: createPreprocessor(request.metadata.preprocessing, request.metadata.input),
      afterForward,
    },
    result: {
      threadsMs,
      load: {
        backend: started.backend,
        details: `${details}${pool}; ${model.executor} executor${measured}`,
        threadTuning,
      },
    },
  };
}
