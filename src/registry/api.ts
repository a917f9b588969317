/**
 * The model registry API as the app reads it (GET /api/v1/models…): every answer is parsed with
 * the shared schema, and every failure becomes an error code a person can act on.
 */
import { FishlensError, isAbortError } from '../../shared/errors';
import type { ModelSummary, ModelVersionInfo } from '../../shared/models-api';

/** The shared schemas: zod is a chunk of its own, loaded with the first answer, not the first screen. */
const schemas = () => import('../schemas');

/** Reads the registry over `fetch` (injected, so tests serve their own packs). */
export interface RegistryApi {
  /** The registry's packs under an alias (`production` by default). */
  listModels(signal?: AbortSignal): Promise<ModelSummary[]>;
  /** The version of `name` behind `alias`; `not-in-registry` when there is none. */
  versionInfo(name: string, alias: string, signal?: AbortSignal): Promise<ModelVersionInfo>;
}

export function createRegistryApi(fetchImpl: typeof fetch): RegistryApi {
  const getJson = async (url: string, signal?: AbortSignal): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetchImpl(url, { signal, headers: { Accept: 'application/json' } });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new FishlensError('network', `${url}: ${String(error)}`, {}, { cause: error });
    }
    if (response.status === 404) throw new FishlensError('not-in-registry', url);
    // The registry has the version but it is not a model the app can run (its reason in the body).
    if (response.status === 422) throw new FishlensError('model-unsupported', url);
    if (!response.ok) throw new FishlensError('http', url, { status: response.status });
    try {
      return await response.json();
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new FishlensError('bad-response', `${url}: not JSON`);
    }
  };
  return {
    async listModels(signal) {
      const { MODELS_API, modelListSchema } = await schemas();
      const parsed = modelListSchema.safeParse(await getJson(MODELS_API, signal));
      if (!parsed.success)
        throw new FishlensError('bad-response', 'the model list does not match the API schema');
      return parsed.data.models;
    },
    async versionInfo(name, alias, signal) {
      const { MODELS_API, modelVersionSchema } = await schemas();
      const url = `${MODELS_API}/${encodeURIComponent(name)}?alias=${encodeURIComponent(alias)}`;
      const parsed = modelVersionSchema.safeParse(await getJson(url, signal));
      if (!parsed.success)
        throw new FishlensError('bad-response', `${name}: version info does not match the schema`);
      return parsed.data;
    },
  };
}
