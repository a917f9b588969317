/** The ingest API as the app calls it: every answer becomes a result the sync engine can act on. */
import type { z } from 'zod';
import type {
  BatchResponse,
  DeviceResponse,
  FeedbackResponse,
  PredictionPayload,
} from '../../shared/api';
import { parseRetryAfter } from './backoff';

/** The shared schemas: zod is a chunk of its own, loaded with the first answer, not the first screen. */
const schemas = () => import('../schemas');
/** Picks the schema an answer must match. */
type AnswerSchema<T> = (shared: Awaited<ReturnType<typeof schemas>>) => z.ZodType<T>;

/** What a call to the server came to. */
export type ApiResult<T> =
  | { kind: 'ok'; body: T }
  /** Worth trying again later: no network, a timeout, 5xx, 408, 429, or a garbled answer. */
  | { kind: 'retry'; status: number | null; retryAfterMs: number | null }
  /** The token is unknown to the server (e.g. its database was replaced): register again. */
  | { kind: 'unauthorized' }
  /** The server refused the request as such (400, 413, 415…): sending it again will not help. */
  | { kind: 'refused'; status: number; detail: string };

/** The calls sync makes; tests give their own. */
export interface IngestApi {
  registerDevice(): Promise<ApiResult<DeviceResponse>>;
  postBatch(token: string, predictions: PredictionPayload[]): Promise<ApiResult<BatchResponse>>;
  postFeedback(
    token: string,
    feedback: { id: string; label: string }[],
  ): Promise<ApiResult<FeedbackResponse>>;
}

const TIMEOUT_MS = 30_000;

async function call<T>(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit,
  schema: AnswerSchema<T>,
  now: () => number,
): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetchImpl(url, {
      ...init,
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cache: 'no-store',
    });
  } catch {
    return { kind: 'retry', status: null, retryAfterMs: null };
  }
  const retryAfterMs = parseRetryAfter(res.headers.get('Retry-After'), now());
  if (res.ok) {
    try {
      const parsed = schema(await schemas()).safeParse(await res.json());
      if (parsed.success) return { kind: 'ok', body: parsed.data };
    } catch {
      /* a body cut off or not JSON (a captive portal): try again later */
    }
    return { kind: 'retry', status: res.status, retryAfterMs };
  }
  if (res.status === 401) return { kind: 'unauthorized' };
  if (res.status >= 500 || res.status === 408 || res.status === 429) {
    return { kind: 'retry', status: res.status, retryAfterMs };
  }
  let detail = res.statusText;
  try {
    const problem = (await res.json()) as { detail?: unknown };
    if (typeof problem.detail === 'string') detail = problem.detail;
  } catch {
    /* keep the status text */
  }
  return { kind: 'refused', status: res.status, detail };
}

/** The real API on `baseUrl` (the app's origin by default). */
export function httpIngestApi(
  baseUrl = '',
  fetchImpl: typeof fetch = (...args) => fetch(...args),
  now: () => number = Date.now,
): IngestApi {
  const post = <T>(path: string, token: string, body: unknown, schema: AnswerSchema<T>) =>
    call(
      fetchImpl,
      `${baseUrl}${path}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      },
      schema,
      now,
    );
  return {
    registerDevice: () =>
      call(
        fetchImpl,
        `${baseUrl}/api/v1/devices`,
        { method: 'POST' },
        (s) => s.deviceResponseSchema,
        now,
      ),
    postBatch: (token, predictions) =>
      post('/api/v1/predictions/batch', token, { predictions }, (s) => s.batchResponseSchema),
    postFeedback: (token, feedback) =>
      post('/api/v1/predictions/feedback', token, { feedback }, (s) => s.feedbackResponseSchema),
  };
}
