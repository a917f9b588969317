import { Hono, type MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import {
  MAX_BATCH_ENTRIES,
  batchRequestSchema,
  createdAtIsSane,
  feedbackRequestSchema,
  predictionSchema,
  type BatchResponse,
  type FeedbackResponse,
  type Prediction,
  type RejectedEntry,
} from '../../shared/api.js';
import { clientAddress, type TrustProxy } from '../client-address.js';
import { limitedJsonBody, parseJson, type IngestVariables } from '../ingest/body.js';
import type { RateLimiter } from '../ingest/rate-limit.js';
import type { InsertedPrediction, PredictionStore } from '../ingest/store.js';
import { httpProblem } from '../problem.js';

/** What ingest reports to metrics (server/metrics.ts); all optional for tests. */
export interface IngestObserver {
  /** Not awaited: counting must never delay or fail an acknowledgement. */
  inserted?(rows: InsertedPrediction[]): unknown;
  duplicates?(count: number): void;
  rejected?(count: number, reason: 'invalid' | 'unauthorized' | 'rate_limited' | 'too_large'): void;
}

export interface PredictionRouteDeps {
  store: PredictionStore;
  /** Requests per device. */
  limiter: RateLimiter;
  /** Requests with a token the database does not know, per client address. */
  unknownTokenLimiter: RateLimiter;
  trustProxy: TrustProxy | undefined;
  maxBodyBytes: number;
  now?: () => number;
  observer?: IngestObserver;
}

type Env = { Variables: IngestVariables };

const TOKEN = /^Bearer ([A-Za-z0-9_-]{43})$/;

const tooMany = (detail: string, retryAfterSeconds: number) =>
  httpProblem(429, detail, {}, { 'Retry-After': String(retryAfterSeconds) });

/**
 * Finds the device from `Authorization: Bearer <token>` (401 otherwise); the body never names
 * it. Unknown tokens are limited per client address: once an address has used up its share,
 * this process answers it 429 without asking the database until the Retry-After has passed.
 */
function deviceAuth(deps: PredictionRouteDeps): MiddlewareHandler<Env> {
  // Tokens are never revoked, so a found token can be remembered (bounded, oldest dropped first).
  const known = new Map<string, string>();
  const blockedUntil = new Map<string, number>();
  const now = deps.now ?? Date.now;
  return async (c, next) => {
    const match = TOKEN.exec(c.req.header('Authorization') ?? '');
    const unauthorized = () => {
      deps.observer?.rejected?.(1, 'unauthorized');
      return httpProblem(
        401,
        'This device is not registered here (no token, or one this server does not know): register it with POST /api/v1/devices and send again.',
        {},
        { 'WWW-Authenticate': 'Bearer' },
      );
    };
    if (!match) throw unauthorized();
    const token = match[1]!;
    let deviceId = known.get(token) ?? null;
    if (!deviceId) {
      const address = clientAddress(c, deps.trustProxy);
      const until = blockedUntil.get(address) ?? 0;
      const throttled = (seconds: number) => {
        deps.observer?.rejected?.(1, 'rate_limited');
        return tooMany(
          'Too many requests with an unknown device token from this address; register the device again, or try later.',
          seconds,
        );
      };
      if (until > now()) throw throttled(Math.ceil((until - now()) / 1000));
      deviceId = await deps.store.deviceForToken(token);
      if (!deviceId) {
        const verdict = await deps.unknownTokenLimiter.take(address);
        if (!verdict.ok) {
          if (blockedUntil.size >= 10_000) blockedUntil.clear();
          blockedUntil.set(address, now() + verdict.retryAfterSeconds * 1000);
          throw throttled(verdict.retryAfterSeconds);
        }
        throw unauthorized();
      }
      if (known.size >= 10_000) known.delete(known.keys().next().value!);
      known.set(token, deviceId);
    }
    c.set('deviceId', deviceId);
    await next();
  };
}

function rateLimit(deps: PredictionRouteDeps): MiddlewareHandler<Env> {
  return async (c, next) => {
    const verdict = await deps.limiter.take(c.get('deviceId'));
    if (!verdict.ok) {
      deps.observer?.rejected?.(1, 'rate_limited');
      throw tooMany(
        'Too many requests from this device; wait as long as Retry-After says, then send again (the app does).',
        verdict.retryAfterSeconds,
      );
    }
    await next();
  };
}

/** A short, safe description of why an entry failed validation. */
function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(entry)'}: ${issue.message}`)
    .join('; ')
    .slice(0, 300);
}

function entryId(entry: unknown): string | null {
  if (entry && typeof entry === 'object' && 'id' in entry && typeof entry.id === 'string') {
    return entry.id.slice(0, 64);
  }
  return null;
}

/** Splits a batch into valid predictions and rejects; a second copy of an id counts as a duplicate. */
export function validateBatch(
  entries: unknown[],
  now: number,
): { valid: Prediction[]; rejected: RejectedEntry[]; repeated: number } {
  const valid: Prediction[] = [];
  const rejected: RejectedEntry[] = [];
  const seen = new Set<string>();
  let repeated = 0;
  entries.forEach((entry, index) => {
    const parsed = predictionSchema.safeParse(entry);
    if (!parsed.success) {
      rejected.push({ id: entryId(entry), index, reason: describe(parsed.error) });
    } else if (!createdAtIsSane(parsed.data.createdAt, now)) {
      rejected.push({
        id: parsed.data.id,
        index,
        reason: 'createdAt: outside 2020-01-01 .. now + 1 day',
      });
    } else {
      const id = parsed.data.id.toLowerCase();
      if (seen.has(id)) repeated += 1;
      else {
        seen.add(id);
        valid.push({ ...parsed.data, id });
      }
    }
  });
  return { valid, rejected, repeated };
}

/**
 * `POST /predictions/batch` and `POST /predictions/feedback`, both behind device auth, a per-device
 * rate limit and a body limit enforced before parsing.
 */
export function predictionRoutes(deps: PredictionRouteDeps): Hono<Env> {
  const app = new Hono<Env>();
  const now = deps.now ?? Date.now;
  const guard = [deviceAuth(deps), rateLimit(deps), limitedJsonBody(deps.maxBodyBytes)] as const;

  app.post('/predictions/batch', ...guard, async (c) => {
    const envelope = batchRequestSchema.safeParse(parseJson(c.get('bodyText')));
    if (!envelope.success) {
      deps.observer?.rejected?.(1, 'invalid');
      throw httpProblem(
        400,
        `Expected {"predictions": [...]} with 1 to ${MAX_BATCH_ENTRIES} entries: ${describe(envelope.error)}`,
      );
    }
    const { valid, rejected, repeated } = validateBatch(envelope.data.predictions, now());
    const inserted = await deps.store.insertPredictions(c.get('deviceId'), valid);
    const body: BatchResponse = {
      accepted: inserted.length,
      duplicates: valid.length - inserted.length + repeated,
      rejected,
    };
    deps.observer?.inserted?.(inserted);
    if (body.duplicates > 0) deps.observer?.duplicates?.(body.duplicates);
    if (rejected.length > 0) deps.observer?.rejected?.(rejected.length, 'invalid');
    c.header('Cache-Control', 'no-store');
    return c.json(body, 200);
  });

  app.post('/predictions/feedback', ...guard, async (c) => {
    const parsed = feedbackRequestSchema.safeParse(parseJson(c.get('bodyText')));
    if (!parsed.success) throw httpProblem(400, `Invalid feedback: ${describe(parsed.error)}`);
    const items = parsed.data.feedback.map((f) => ({ ...f, id: f.id.toLowerCase() }));
    const found = new Set(await deps.store.setFeedback(c.get('deviceId'), items));
    const body: FeedbackResponse = {
      updated: found.size,
      unknown: [...new Set(items.map((i) => i.id))].filter((id) => !found.has(id)),
    };
    c.header('Cache-Control', 'no-store');
    return c.json(body, 200);
  });

  return app;
}
