import { Hono, type Context } from 'hono';
import { etag } from 'hono/etag';
import { z } from 'zod';
import { modelFileUrl } from '../../shared/models-api.js';
import {
  MAX_PACK_VERSION,
  NAME_PATTERN,
  PACK_PATH_PATTERN,
  packVersionSchema,
} from '../../shared/pack.js';
import type { Logger } from '../log.js';
import { httpProblem, problem, problemErrorHandler } from '../problem.js';
import {
  DEFAULT_ALIAS,
  invalidAlias,
  ModelNotRunnableError,
  RegistryUnavailableError,
  type ModelRegistry,
  type ModelVersion,
} from '../registry/types.js';
import { contentTypeFor, ObjectNotFoundError, StorageUnavailableError } from '../storage/index.js';
import { requireAdmin } from './admin-auth.js';
import { decideRange, etagMatches } from './byte-range.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface ModelRoutesDeps {
  registry: ModelRegistry;
  adminToken: string | undefined;
  log: Logger;
}

function modelName(c: Context): string {
  const name = c.req.param('name') ?? '';
  if (!NAME_PATTERN.test(name)) {
    throw httpProblem(
      400,
      'A model name is 1–64 lowercase letters, digits, "-" or "_", starting with a letter or digit.',
    );
  }
  return name;
}

function versionNumber(c: Context): number {
  const text = c.req.param('version') ?? '';
  const version = /^[1-9]\d{0,9}$/.test(text) ? Number(text) : NaN;
  if (!(version <= MAX_PACK_VERSION))
    throw httpProblem(400, `"${text.slice(0, 20)}" is not a version number (1, 2, 3…).`);
  return version;
}

function aliasName(value: string | undefined): string {
  const alias = value ?? DEFAULT_ALIAS;
  const problem = invalidAlias(alias);
  // Refused here, before the registry is asked: MLflow would read `latest` as "newest version".
  if (problem) throw httpProblem(400, `${problem.charAt(0).toUpperCase()}${problem.slice(1)}`);
  return alias;
}

/** The JSON of one version: the API contract in shared/models-api.ts. */
function versionJson(v: ModelVersion) {
  return {
    name: v.name,
    version: v.version,
    aliases: v.aliases,
    createdAt: v.createdAt,
    metadata: v.metadata,
    files: v.files.map((f) => ({
      path: f.path,
      size: f.size,
      sha256: f.sha256,
      url: modelFileUrl(v.name, v.version, f.path),
    })),
  };
}

/**
 * The model registry API under /api/v1: list models, version info by alias or number, the
 * version's files streamed from storage (ranges, strong ETags, immutable caching), and moving
 * an alias (admin only). Registry or storage failures answer 503 (the reason goes to the log).
 */
export function modelRoutes(deps: ModelRoutesDeps): Hono {
  const { registry } = deps;
  const app = new Hono();
  const fallback = problemErrorHandler(deps.log);
  app.onError((error, c) => {
    // The version exists but is not a model the app can run: say why, and it is not an outage.
    if (error instanceof ModelNotRunnableError) return problem(c, 422, error.message);
    if (error instanceof RegistryUnavailableError || error instanceof StorageUnavailableError) {
      deps.log.warn(
        { err: error, path: c.req.path, requestId: c.get('requestId') },
        'model registry or storage unavailable',
      );
      c.header('Retry-After', '10');
      return problem(
        c,
        503,
        (error instanceof RegistryUnavailableError && error.publicDetail) ||
          'The model registry or its file storage cannot be reached right now. Try again in a few seconds; packs already on this device keep working.',
      );
    }
    return fallback(error, c);
  });

  // Version info is small JSON that clients revalidate (no-cache): an ETag turns that into a 304.
  // Not on file routes, where etag() would read the whole stream to hash it.
  const jsonEtag = etag();
  app.get('/models', jsonEtag);
  app.get('/models/:name', jsonEtag);
  app.get('/models/:name/versions/:version', jsonEtag);

  app.get('/models', async (c) => {
    const alias = aliasName(c.req.query('alias'));
    const models = await registry.listModels(alias, c.req.raw.signal);
    c.header('Cache-Control', 'no-cache');
    return c.json({ models });
  });

  app.get('/models/:name', async (c) => {
    const name = modelName(c);
    const alias = aliasName(c.req.query('alias'));
    const version = await registry.getVersionByAlias(name, alias, c.req.raw.signal);
    if (!version)
      return problem(
        c,
        404,
        `Model ${name} has no version with the alias ${alias}, or does not exist.`,
      );
    c.header('Cache-Control', 'no-cache');
    return c.json(versionJson(version));
  });

  app.get('/models/:name/versions/:version', async (c) => {
    const name = modelName(c);
    const number = versionNumber(c);
    const version = await registry.getVersion(name, number, c.req.raw.signal);
    if (!version) return problem(c, 404, `Model ${name} has no version ${number}.`);
    // The files never change, but aliases move: revalidate.
    c.header('Cache-Control', 'no-cache');
    return c.json(versionJson(version));
  });

  app.get('/models/:name/versions/:version/files/:path{.+}', async (c) => {
    const name = modelName(c);
    const number = versionNumber(c);
    const path = c.req.param('path');
    if (!PACK_PATH_PATTERN.test(path))
      return problem(c, 404, 'There is no such file in a model pack.');
    const version = await registry.getVersion(name, number, c.req.raw.signal);
    if (!version) return problem(c, 404, `Model ${name} has no version ${number}.`);
    const file = version.files.find((f) => f.path === path);
    if (!file) return problem(c, 404, `Version ${number} of ${name} has no file ${path}.`);

    const etag = `"${file.sha256}"`;
    const headers: Record<string, string> = {
      ETag: etag,
      'Cache-Control': IMMUTABLE,
      'Content-Type': contentTypeFor(path),
      'Accept-Ranges': 'bytes',
      'X-Content-Type-Options': 'nosniff',
    };
    if (etagMatches(c.req.header('If-None-Match'), etag)) return c.body(null, 304, headers);

    const ifRange = c.req.header('If-Range');
    const decision =
      ifRange && ifRange !== etag
        ? { kind: 'full' as const }
        : decideRange(c.req.header('Range'), file.size);
    if (decision.kind === 'unsatisfiable') {
      for (const [key, value] of Object.entries(headers)) c.header(key, value);
      c.header('Content-Range', `bytes */${file.size}`);
      return problem(c, 416, `The file has ${file.size} bytes; the requested range is outside it.`);
    }
    const range = decision.kind === 'partial' ? decision.range : undefined;
    const status = range ? 206 : 200;
    headers['Content-Length'] = String(range ? range.end - range.start + 1 : file.size);
    if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${file.size}`;

    try {
      if (c.req.method === 'HEAD') {
        if (!(await registry.headFile(version, path, c.req.raw.signal)))
          throw new ObjectNotFoundError(path);
        return new Response(null, { status, headers });
      }
      const body = await registry.openFile(version, path, { range, signal: c.req.raw.signal });
      return new Response(body, { status, headers });
    } catch (error) {
      if (error instanceof ObjectNotFoundError) {
        deps.log.error(
          { name, version: number, path },
          'a registered model file is missing from storage',
        );
        throw new StorageUnavailableError(
          `the storage does not have ${path} of ${name} version ${number}`,
        );
      }
      throw error;
    }
  });

  app.put('/models/:name/aliases/:alias', requireAdmin(deps.adminToken), async (c) => {
    const name = modelName(c);
    const aliasValue = aliasName(c.req.param('alias'));
    const body = z
      .object({ version: packVersionSchema })
      .safeParse(await c.req.json().catch(() => null));
    if (!body.success)
      throw httpProblem(
        400,
        'Send JSON {"version": <number>} naming the version the alias should point at.',
      );
    const moved = await registry.setAlias(name, aliasValue, body.data.version, c.req.raw.signal);
    if (!moved) return problem(c, 404, `Model ${name} has no version ${body.data.version}.`);
    const version = await registry.getVersion(name, body.data.version, c.req.raw.signal);
    deps.log.info({ name, alias: aliasValue, version: body.data.version }, 'model alias moved');
    c.header('Cache-Control', 'no-store');
    return c.json(version ? versionJson(version) : { name, version: body.data.version });
  });
  return app;
}
