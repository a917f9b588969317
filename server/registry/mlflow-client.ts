/**
 * A small client for MLflow's REST API 2.0 (https://mlflow.org/docs/latest/rest-api.html):
 * every call has a deadline, MLflow errors keep their `error_code`, and network failures become
 * RegistryUnavailableError with a reason a person understands.
 */
import { RegistryUnavailableError } from './types.js';

export interface MlflowSettings {
  /** http(s)://host:port of the tracking server, without a trailing slash. */
  trackingUri: string;
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  timeoutMs: number;
}

/** MLflow's documented `ModelVersion` message (fields Fishlens reads). */
export interface MlflowModelVersion {
  name: string;
  version: string;
  creation_timestamp?: string | number;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  tags?: { key: string; value: string }[];
  aliases?: string[];
}

/** MLflow's documented `RegisteredModel` message (fields Fishlens reads). */
export interface MlflowRegisteredModel {
  name: string;
  aliases?: { alias: string; version: string }[];
}

/** MLflow answered with an error document `{error_code, message}`. */
export class MlflowApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(`MLflow ${errorCode}: ${message}`);
    this.name = 'MlflowApiError';
  }
}

export interface MlflowClient {
  readonly settings: MlflowSettings;
  /** Authorization header for the tracking server, when credentials are configured. */
  authHeaders(): Record<string, string>;
  get<T>(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T>;
}

/** A client for one tracking server; `path` arguments are relative to /api/2.0/mlflow/. */
export function createMlflowClient(settings: MlflowSettings): MlflowClient {
  const base = settings.trackingUri.replace(/\/+$/, '');
  // Basic first when both are set, as MLflow's Python client does (mlflow/utils/rest_utils.py):
  // the auth app checks Basic; a token works only with a custom authorization function.
  const authHeaders = (): Record<string, string> => {
    if (settings.username && settings.password) {
      return {
        Authorization: `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`,
      };
    }
    if (settings.token) return { Authorization: `Bearer ${settings.token}` };
    return {};
  };

  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    init: { query?: Record<string, string>; body?: unknown },
    signal?: AbortSignal,
  ): Promise<T> {
    const url = new URL(`${base}/api/2.0/mlflow/${path}`);
    for (const [key, value] of Object.entries(init.query ?? {})) url.searchParams.set(key, value);
    const deadline = AbortSignal.timeout(settings.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: {
          Accept: 'application/json',
          ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...authHeaders(),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      const reason = deadline.aborted
        ? `did not answer within ${settings.timeoutMs} ms`
        : `is not reachable: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`;
      throw new RegistryUnavailableError(`MLflow at ${base} ${reason}`, { cause: error });
    }
    if (response.status === 401 || response.status === 403)
      throw new MlflowAuthError(response.status, base, settings, path);
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new RegistryUnavailableError(
        `MLflow at ${base} answered ${response.status} with something that is not JSON (${path})`,
      );
    }
    if (!response.ok) {
      const doc = json as { error_code?: string; message?: string };
      if (response.status >= 500 || !doc.error_code) {
        throw new RegistryUnavailableError(
          `MLflow at ${base} answered ${response.status} ${doc.error_code ?? ''} ${doc.message ?? ''}`.trim(),
        );
      }
      throw new MlflowApiError(response.status, doc.error_code, doc.message ?? '');
    }
    return json as T;
  }

  return {
    settings,
    authHeaders,
    get: (path, query, signal) => call('GET', path, { query }, signal),
    post: (path, body, signal) => call('POST', path, { body }, signal),
  };
}

/**
 * MLflow refused the credentials (401) or the permission (403). Its auth app answers both in plain
 * text (mlflow/server/auth/__init__.py, make_basic_auth_response / make_forbidden_response).
 * A kind of RegistryUnavailableError: nothing works until the configuration is fixed.
 */
export class MlflowAuthError extends RegistryUnavailableError {
  constructor(
    readonly status: 401 | 403,
    base: string,
    settings: Pick<MlflowSettings, 'username' | 'token'>,
    what: string,
  ) {
    const who = settings.username ? `the user ${settings.username}` : 'Fishlens';
    super(
      status === 401
        ? `MLflow at ${base} refused Fishlens's credentials (401 Unauthorized) for ${what}: ${
            settings.username || settings.token
              ? 'check MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD'
              : 'this server needs MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD'
          }`
        : `MLflow at ${base} denied ${who} permission (403 Permission denied) for ${what}: grant READ on the registered models (EDIT on the experiment to publish)`,
    );
    this.name = 'MlflowAuthError';
    this.publicDetail =
      status === 401
        ? "MLflow refused Fishlens's credentials (401 Unauthorized): whoever runs this server should check MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD. Packs already on this device keep working."
        : 'MLflow denied Fishlens permission (403 Permission denied): whoever runs this server should grant it READ on the registered models. Packs already on this device keep working.';
  }
}

/** True for MLflow's "no such model / version / alias / run" answer. */
export function isNotFound(error: unknown): boolean {
  return (
    error instanceof MlflowApiError &&
    (error.errorCode === 'RESOURCE_DOES_NOT_EXIST' || error.status === 404)
  );
}

/**
 * Every page of a paged MLflow search (`registered-models/search`, `model-versions/search`):
 * follows `next_page_token` until the server sends none (or an empty one, as MLflow 2.x does
 * on the last page).
 */
export async function* searchPages<T>(
  client: MlflowClient,
  path: string,
  query: Record<string, string>,
  signal?: AbortSignal,
): AsyncGenerator<T & { next_page_token?: string }> {
  let pageToken: string | undefined;
  do {
    const page = await client.get<T & { next_page_token?: string }>(
      path,
      { ...query, ...(pageToken ? { page_token: pageToken } : {}) },
      signal,
    );
    yield page;
    pageToken = page.next_page_token || undefined;
  } while (pageToken);
}
