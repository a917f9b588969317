/**
 * The network source of model packs: asks the registry which version of a pack is current,
 * downloads every file it lists and checks each one's size and SHA-256 (WebCrypto) before the
 * app trusts it, and hands the result on as a `LoadedPack` for `loadClassifier`.
 */
import {
  modelListSchema,
  modelVersionSchema,
  MODELS_API,
  type ModelSummary,
  type ModelVersionInfo,
} from '../../shared/models-api';
import { MODEL_FILE, metadataSchema, METADATA_FILE } from '../../shared/pack';
import type { LoadedPack } from '../model/types';

export const PACK_SOURCE_ERROR_CODES = [
  'registry-unavailable',
  'model-not-found',
  'file-corrupt',
  'pack-invalid',
] as const;
export type PackSourceErrorCode = (typeof PACK_SOURCE_ERROR_CODES)[number];

/** A pack that could not be fetched or trusted; `code` selects the message shown to people. */
export class PackSourceError extends Error {
  override readonly name = 'PackSourceError';
  constructor(
    readonly code: PackSourceErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

export interface FetchOptions {
  signal?: AbortSignal;
  /** Registry alias to follow; `production` by default. */
  alias?: string;
  /** Called after each verified file with bytes done and total. */
  onProgress?: (done: number, total: number) => void;
}

async function get(url: string, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  } catch (error) {
    if ((error as { name?: string }).name === 'AbortError') throw error;
    throw new PackSourceError('registry-unavailable', `${url}: ${String(error)}`);
  }
  if (response.status === 404) throw new PackSourceError('model-not-found', url);
  if (!response.ok)
    throw new PackSourceError('registry-unavailable', `${url}: HTTP ${response.status}`);
  return response;
}

async function json(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch (error) {
    if ((error as { name?: string }).name === 'AbortError') throw error;
    throw new PackSourceError('pack-invalid', `${response.url}: not JSON`);
  }
}

/** Lowercase hex SHA-256 of a buffer. */
export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The registry's packs under an alias (GET /api/v1/models). */
export async function listRegistryModels(options: FetchOptions = {}): Promise<ModelSummary[]> {
  const query = options.alias ? `?alias=${encodeURIComponent(options.alias)}` : '';
  const parsed = modelListSchema.safeParse(
    await json(await get(`${MODELS_API}${query}`, options.signal)),
  );
  if (!parsed.success)
    throw new PackSourceError('pack-invalid', 'model list does not match the API schema');
  return parsed.data.models;
}

/** Version info of a pack under an alias (GET /api/v1/models/{name}). */
export async function fetchVersionInfo(
  name: string,
  options: FetchOptions = {},
): Promise<ModelVersionInfo> {
  const query = options.alias ? `?alias=${encodeURIComponent(options.alias)}` : '';
  const parsed = modelVersionSchema.safeParse(
    await json(await get(`${MODELS_API}/${encodeURIComponent(name)}${query}`, options.signal)),
  );
  if (!parsed.success)
    throw new PackSourceError(
      'pack-invalid',
      `${name}: version info does not match the API schema`,
    );
  return parsed.data;
}

/** Downloads and verifies every file of a version; a size or SHA-256 mismatch is refused. */
export async function fetchVerifiedFiles(
  info: ModelVersionInfo,
  options: FetchOptions = {},
): Promise<Map<string, ArrayBuffer>> {
  const total = info.files.reduce((sum, f) => sum + f.size, 0);
  let done = 0;
  const files = new Map<string, ArrayBuffer>();
  // Two at a time: enough to hide latency, few enough not to starve the page on a phone.
  const queue = [...info.files];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const data = await (await get(file.url, options.signal)).arrayBuffer();
      if (data.byteLength !== file.size) {
        throw new PackSourceError(
          'file-corrupt',
          `${file.path}: ${data.byteLength} bytes, expected ${file.size}`,
        );
      }
      if ((await sha256Hex(data)) !== file.sha256)
        throw new PackSourceError('file-corrupt', `${file.path}: SHA-256 mismatch`);
      files.set(file.path, data);
      done += file.size;
      options.onProgress?.(done, total);
    }
  };
  await Promise.all([worker(), worker()]);
  return files;
}

/** Turns verified pack files into a LoadedPack: metadata and model.json parsed, weight files by path. */
export function toLoadedPack(
  name: string,
  version: string,
  files: Map<string, ArrayBuffer>,
): LoadedPack {
  const text = (path: string) => {
    const data = files.get(path);
    if (!data) throw new PackSourceError('pack-invalid', `${name} v${version} has no ${path}`);
    try {
      return JSON.parse(new TextDecoder().decode(data)) as unknown;
    } catch {
      throw new PackSourceError('pack-invalid', `${path} is not JSON`);
    }
  };
  const metadata = metadataSchema.safeParse(text(METADATA_FILE));
  if (!metadata.success)
    throw new PackSourceError(
      'pack-invalid',
      `${METADATA_FILE}: ${metadata.error.issues[0]?.message ?? ''}`,
    );
  const modelJson = text(MODEL_FILE) as { weightsManifest?: { paths?: string[] }[] };
  const weightFiles: Record<string, ArrayBuffer> = {};
  for (const group of modelJson.weightsManifest ?? []) {
    for (const path of group.paths ?? []) {
      const data = files.get(path);
      if (!data)
        throw new PackSourceError(
          'pack-invalid',
          `${MODEL_FILE} names ${path}, which the pack does not list`,
        );
      weightFiles[path] = data;
    }
  }
  return { name, version, metadata: metadata.data, modelJson, weightFiles };
}

/** Fetches the registry's current (alias) version of a pack, verified, as a LoadedPack. */
export async function fetchRegistryPack(
  name: string,
  options: FetchOptions = {},
): Promise<LoadedPack> {
  const info = await fetchVersionInfo(name, options);
  const files = await fetchVerifiedFiles(info, options);
  return toLoadedPack(info.name, String(info.version), files);
}
