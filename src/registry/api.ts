/**
 * The registry API as the app reads it: the model list and one version's file list, parsed with
 * the shared schemas (shared/models-api.ts) so a wrong shape is refused, never trusted.
 */
import type { z } from 'zod';
import {
  MODELS_API,
  modelListSchema,
  modelVersionSchema,
  type ModelSummary,
  type ModelVersionInfo,
} from '../../shared/models-api';
import { isAbortError, PackError } from './errors';

/** Which version of a model to ask for: the one behind an alias, or a version number. */
export type VersionTarget = { alias: string } | { version: number };

/** GETs JSON and parses it with `schema`; network failures, HTTP errors and bad JSON become PackErrors. */
export async function fetchJson<T>(url: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { Accept: 'application/json' }, cache: 'no-cache' });
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw new PackError('network', { cause: error });
  }
  if (!res.ok) throw new PackError('http', { status: res.status, file: url });
  let body: unknown;
  try {
    body = await res.json();
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw new PackError('bad-response', { file: url, cause: error });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new PackError('bad-response', { file: url, cause: parsed.error });
  return parsed.data;
}

/** The registry's models, each with the version behind the `production` alias. */
export async function fetchModelList(signal?: AbortSignal): Promise<ModelSummary[]> {
  return (await fetchJson(MODELS_API, modelListSchema, signal)).models;
}

/** One version of a model with its metadata and the size, sha256 and URL of every file. */
export async function fetchModelVersion(
  name: string,
  target: VersionTarget = { alias: 'production' },
  signal?: AbortSignal,
): Promise<ModelVersionInfo> {
  const base = `${MODELS_API}/${encodeURIComponent(name)}`;
  const url =
    'version' in target ? `${base}/versions/${target.version}` : `${base}?alias=${encodeURIComponent(target.alias)}`;
  return fetchJson(url, modelVersionSchema, signal);
}
