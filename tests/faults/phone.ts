/**
 * A phone as the fault suite plays it: it keeps an outbox, sends it in batches, and deletes an
 * entry only once the server acknowledged it (accepted or already stored), as the app's sync
 * engine does. Refused entries go to dead letters; 429/5xx and network errors are retried after
 * a short pause. It records every id it saw acknowledged, to compare with what was stored.
 */
import type { PredictionPayload } from '../../shared/api.js';
import { makePrediction } from '../../server/ingest/testing/ingest-app.js';

/** The phone waits at most this long whatever Retry-After says, to keep the suite short. */
const MAX_PAUSE_MS = 300;

export class Phone {
  readonly outbox = new Map<string, PredictionPayload>();
  readonly acknowledged = new Set<string>();
  readonly deadLetters = new Set<string>();
  retries = 0;
  /** Requests sent and not yet answered. */
  inFlight = 0;
  deviceId = '';
  private token = '';

  constructor(
    private readonly url: () => string,
    private readonly batchSize = 50,
  ) {}

  /** Logs `count` predictions (plus `invalid` ones the server must refuse). */
  log(count: number, invalid = 0): void {
    for (let i = 0; i < count; i += 1) {
      const p = makePrediction();
      this.outbox.set(p.id, p);
    }
    for (let i = 0; i < invalid; i += 1) {
      const p = makePrediction({ top: [{ label: 'bream', probability: 1.5 }] });
      this.outbox.set(p.id, p);
    }
  }

  get sent(): number {
    return this.outbox.size + this.acknowledged.size + this.deadLetters.size;
  }

  async register(deadline: number): Promise<void> {
    while (!this.token) {
      const res = await this.request('/api/v1/devices', { method: 'POST' }, deadline);
      if (res?.status === 201) {
        const body = (await res.json()) as { deviceId: string; token: string };
        this.deviceId = body.deviceId;
        this.token = body.token;
      }
    }
  }

  /** Sends batches until the outbox is empty; throws when `deadline` passes first. */
  async syncUntilEmpty(deadline: number): Promise<void> {
    await this.register(deadline);
    while (this.outbox.size > 0) {
      const batch = [...this.outbox.values()].slice(0, this.batchSize);
      const res = await this.request(
        '/api/v1/predictions/batch',
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}` },
          body: JSON.stringify({ predictions: batch }),
        },
        deadline,
      );
      if (!res || res.status !== 200) continue;
      const body = (await res.json()) as { rejected: { index: number }[] };
      const refused = new Set(body.rejected.map((r) => r.index));
      batch.forEach((entry, index) => {
        this.outbox.delete(entry.id);
        (refused.has(index) ? this.deadLetters : this.acknowledged).add(entry.id.toLowerCase());
      });
    }
  }

  /** One request; null after a network error, 429 or 5xx (already paused for the retry). */
  private async request(path: string, init: RequestInit, deadline: number) {
    if (Date.now() > deadline) {
      throw new Error(`phone gave up: ${this.outbox.size} entries still in the outbox`);
    }
    this.inFlight += 1;
    try {
      const res = await fetch(`${this.url()}${path}`, {
        ...init,
        signal: AbortSignal.timeout(15_000),
      }).finally(() => (this.inFlight -= 1));
      if (res.status === 429 || res.status >= 500) {
        this.retries += 1;
        const after = Number(res.headers.get('retry-after') ?? 1) * 1000;
        await res.body?.cancel();
        await pause(Math.min(after, MAX_PAUSE_MS));
        return null;
      }
      return res;
    } catch {
      this.retries += 1;
      await pause(MAX_PAUSE_MS);
      return null;
    }
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
