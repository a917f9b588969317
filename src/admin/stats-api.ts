/**
 * The dashboard's only I/O: GET /api/v1/stats with the admin token, and the token kept on this
 * device after it is entered once. Failures become codes the screen turns into words
 * (`dashboard.error.<code>`); AbortError passes through unchanged.
 */
// zod is set up before the stats schema is made (the dashboard is a chunk of its own).
import '../../shared/zod-jitless';
import { statsResponseSchema, type StatsResponse } from '../../shared/stats';

const TOKEN_KEY = 'fishlens.adminToken';

/** Why the statistics could not be shown. */
export type StatsErrorCode = 'unauthorized' | 'forbidden' | 'network' | 'http' | 'bad-response';

/** A stats failure with a code for the message table and the HTTP status when there was one. */
export class StatsError extends Error {
  constructor(
    readonly code: StatsErrorCode,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`${code}${status ? ` (HTTP ${status})` : ''}`, options);
    this.name = 'StatsError';
  }
}

/** What to ask for: a model (or all), and the window in days ending now. */
export interface StatsRequest {
  model?: string;
  days: number;
}

/** Fetches and validates the statistics; `fetchImpl` is for tests. */
export async function fetchStats(
  token: string,
  request: StatsRequest,
  signal?: AbortSignal,
  fetchImpl: typeof fetch = (...args) => fetch(...args),
  now: Date = new Date(),
): Promise<StatsResponse> {
  const query = new URLSearchParams({
    from: new Date(now.getTime() - request.days * 86_400_000).toISOString(),
    to: now.toISOString(),
  });
  if (request.model) query.set('model', request.model);
  let res: Response;
  try {
    res = await fetchImpl(`/api/v1/stats?${query.toString()}`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      cache: 'no-store',
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new StatsError('network', undefined, { cause: error });
  }
  if (res.status === 401) throw new StatsError('unauthorized', 401);
  if (res.status === 403) throw new StatsError('forbidden', 403);
  if (!res.ok) throw new StatsError('http', res.status);
  const parsed = statsResponseSchema.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new StatsError('bad-response', res.status, { cause: parsed.error });
  return parsed.data;
}

/** The admin token saved on this device, or null. */
export function loadAdminToken(storage: Pick<Storage, 'getItem'> = localStorage): string | null {
  try {
    return storage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage blocked: ask again
  }
}

/** Saves the admin token so the dashboard asks for it once per device (null forgets it). */
export function saveAdminToken(
  token: string | null,
  storage: Pick<Storage, 'setItem' | 'removeItem'> = localStorage,
): void {
  try {
    if (token === null) storage.removeItem(TOKEN_KEY);
    else storage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage blocked (private mode): the token lives only as long as the screen.
  }
}
