/**
 * A model registry in memory for the installer's unit tests: it answers the registry API's
 * requests (`fetch`) the way the server does, with packs made here. The packs are byte-valid (their
 * files match the listed sizes and sha256) but their model is not a real network: the tests inject
 * the warm-up.
 */
import { MOBILENET_V2_PREPROCESSING, PACK_FORMAT } from '../../shared/pack';
import { modelFileUrl, MODELS_API, type ModelVersionInfo } from '../../shared/models-api';
import { sha256Hex } from './download';

interface FakeVersion {
  info: ModelVersionInfo;
  bytes: Map<string, Uint8Array>;
  /** Why the version cannot run (the server lists it as unusable and answers 422 for it). */
  unusable?: string;
}

export interface FakeRegistry {
  fetch: typeof fetch;
  /** Publishes version `version` of `name` and points `production` at it. */
  publish(
    name: string,
    version: number,
    options?: { shardBytes?: number; unusable?: string },
  ): Promise<void>;
  /** Serves `path` of a version with other bytes (a tampered file); the listing stays. */
  tamper(name: string, version: number, path: string): void;
  /** Every request fails as if the network were gone. */
  offline: boolean;
  /** Called before each file response; lets a test cancel mid-download. */
  onFile?: (path: string) => void;
  /** URLs requested so far. */
  requests: string[];
}

const SHARD = 'group1-shard1of1.bin';

/** Metadata of a two-species pack (bream, perch) that every test pack starts from. */
export function fakeMetadata(name: string, version: number) {
  return {
    format: PACK_FORMAT,
    name,
    description: `${name} v${version}`,
    createdAt: '2026-11-01T00:00:00.000Z',
    tool: { name: 'fake-registry', version: '1' },
    architecture: 'none',
    modelFormat: 'tfjs-layers',
    input: { width: 224, height: 224, channels: 3 },
    preprocessing: MOBILENET_V2_PREPROCESSING,
    labels: ['bream', 'perch'].map((id) => ({ id, latin: `Latinus ${id}`, names: { en: id } })),
  };
}

async function makeVersion(name: string, version: number, shardBytes: number) {
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  const shard = new Uint8Array(shardBytes).map((_, i) => (i * 7 + version) % 251);
  const metadata = fakeMetadata(name, version);
  const bytes = new Map<string, Uint8Array>([
    [
      'model.json',
      encode({ modelTopology: {}, weightsManifest: [{ paths: [SHARD], weights: [] }] }),
    ],
    [SHARD, shard],
    ['metadata.json', encode(metadata)],
  ]);
  const files = [];
  for (const [path, data] of bytes) {
    files.push({
      path,
      size: data.byteLength,
      sha256: await sha256Hex(data.slice().buffer),
      url: modelFileUrl(name, version, path),
    });
  }
  const info = {
    name,
    version,
    aliases: ['production'],
    createdAt: metadata.createdAt,
    metadata: { ...metadata, notSureBelow: 0.5, quantization: 'float32', metrics: {} },
    files,
  } as ModelVersionInfo;
  return { info, bytes };
}

export function fakeRegistry(): FakeRegistry {
  const versions = new Map<string, FakeVersion>();
  const production = new Map<string, number>();
  const json = (value: unknown, status = 200) =>
    new Response(JSON.stringify(value), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });

  const registry: FakeRegistry = {
    offline: false,
    requests: [],
    async publish(name, version, options = {}) {
      versions.set(`${name}@${version}`, {
        ...(await makeVersion(name, version, options.shardBytes ?? 50_000)),
        ...(options.unusable ? { unusable: options.unusable } : {}),
      });
      production.set(name, version);
    },
    tamper(name, version, path) {
      const data = versions.get(`${name}@${version}`)?.bytes.get(path);
      if (data) data[0] = (data[0] ?? 0) ^ 0xff;
    },
    fetch: (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      registry.requests.push(url);
      if (registry.offline) return Promise.reject(new TypeError('Failed to fetch'));
      if (init?.signal?.aborted)
        return Promise.reject(new DOMException('The operation was aborted.', 'AbortError'));
      const path = url.split('?')[0]!;
      if (path === MODELS_API) {
        const models = [...production].map(([name, version]) => {
          const { info, unusable } = versions.get(`${name}@${version}`)!;
          return {
            ...(unusable ? { unusable } : {}),
            name,
            version,
            alias: 'production',
            createdAt: info.createdAt,
            sizeBytes: info.files.reduce((sum, f) => sum + f.size, 0),
            labelCount: info.metadata.labels.length,
            description: info.metadata.description,
          };
        });
        return Promise.resolve(json({ models }));
      }
      const file = /^\/api\/v1\/models\/([^/]+)\/versions\/(\d+)\/files\/(.+)$/.exec(path);
      if (file) {
        const [, name, version, filePath] = file;
        registry.onFile?.(decodeURIComponent(filePath!));
        const data = versions.get(`${name}@${version}`)?.bytes.get(decodeURIComponent(filePath!));
        return Promise.resolve(data ? new Response(data.slice()) : json({}, 404));
      }
      const model = /^\/api\/v1\/models\/([^/]+)$/.exec(path);
      const version = model && production.get(decodeURIComponent(model[1]!));
      if (!model || version === undefined) return Promise.resolve(json({}, 404));
      const found = versions.get(`${model[1]}@${version}`)!;
      if (found.unusable) return Promise.resolve(json({ detail: found.unusable }, 422));
      return Promise.resolve(json(found.info));
    },
  };
  return registry;
}
