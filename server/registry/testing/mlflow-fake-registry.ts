/**
 * The MLflow fake's REST endpoints under /api/2.0/mlflow/, each as MLflow's handlers
 * (mlflow/server/handlers.py) and SQL stores (mlflow/store/model_registry/sqlalchemy_store.py,
 * mlflow/store/tracking/sqlalchemy_store.py) answer; see mlflow-fake.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { MlflowModelVersion } from '../mlflow-client.js';
import { addVersion, type FakeModel, type FakeState } from './mlflow-fake.js';

type Status = 400 | 404;
const error = (c: Context, status: Status, code: string, message: string) =>
  c.json({ error_code: code, message }, status);
const notFound = (c: Context, message: string) => error(c, 404, 'RESOURCE_DOES_NOT_EXIST', message);
const invalid = (c: Context, message: string) => error(c, 400, 'INVALID_PARAMETER_VALUE', message);

/** The version as the API shows it: aliases filled in, no storage_location (not in the proto). */
function shown(model: FakeModel, mv: FakeModel['versions'][number], aliases = true) {
  const { storage_location: _location, ...rest } = mv;
  return aliases
    ? { ...rest, aliases: [...model.aliases].filter(([, v]) => v === mv.version).map(([a]) => a) }
    : rest;
}

/**
 * `max_results` and `page_token` as MLflow's search endpoints take them: the token is opaque
 * (base64 of an offset, mlflow/utils/search_utils.py), too many results → 400.
 */
function page<T>(
  c: Context,
  items: T[],
  limit: number,
  fallback: number,
): { refused: Response } | { items: T[]; next_page_token?: string } {
  const max = Number(c.req.query('max_results') ?? fallback);
  if (!Number.isInteger(max) || max < 1 || max > limit)
    return { refused: invalid(c, `Invalid value for max_results. It must be at most ${limit}`) };
  const token = c.req.query('page_token');
  const offset = token
    ? Number((JSON.parse(Buffer.from(token, 'base64').toString()) as { offset: number }).offset)
    : 0;
  const next = offset + max < items.length ? offset + max : undefined;
  return {
    items: items.slice(offset, offset + max),
    ...(next === undefined
      ? {}
      : { next_page_token: Buffer.from(JSON.stringify({ offset: next })).toString('base64') }),
  };
}

/** `name='x'` and `tags.\`key\`='value'` clauses joined by `and` (SearchModelVersionsUtils). */
function matches(filter: string, mv: MlflowModelVersion): boolean {
  if (!filter.trim()) return true;
  return filter.split(/\s+and\s+/i).every((clause) => {
    const name = /^name\s*=\s*'((?:[^'\\]|\\.)*)'$/.exec(clause.trim());
    if (name) return mv.name === name[1]!.replace(/\\'/g, "'");
    const tag = /^tags\.(?:`([^`]+)`|([\w.]+))\s*=\s*'([^']*)'$/.exec(clause.trim());
    if (tag) return mv.tags?.some((t) => t.key === (tag[1] ?? tag[2]) && t.value === tag[3]);
    return false;
  });
}

export function registryRoutes(app: Hono, state: FakeState): void {
  const base = '/api/2.0/mlflow';
  const findVersion = (name: string, version: string) =>
    state.models.get(name)?.versions.find((v) => v.version === version);

  app.get(`${base}/registered-models/search`, (c) => {
    // handlers.py _search_registered_models: max_results at most 1000.
    const result = page(c, [...state.models.values()], 1000, 100);
    if ('refused' in result) return result.refused;
    return c.json({
      registered_models: result.items.map((m) => ({
        name: m.name,
        creation_timestamp: m.creation_timestamp,
        last_updated_timestamp: m.creation_timestamp,
        aliases: [...m.aliases].map(([alias, version]) => ({ alias, version })),
      })),
      ...(result.next_page_token ? { next_page_token: result.next_page_token } : {}),
    });
  });
  app.post(`${base}/registered-models/create`, async (c) => {
    const { name } = await c.req.json<{ name: string }>();
    if (state.models.has(name))
      return error(
        c,
        400,
        'RESOURCE_ALREADY_EXISTS',
        `Registered Model (name=${name}) already exists.`,
      );
    state.models.set(name, {
      name,
      creation_timestamp: Date.now(),
      aliases: new Map(),
      versions: [],
    });
    return c.json({ registered_model: { name, creation_timestamp: Date.now() } });
  });
  app.get(`${base}/registered-models/alias`, (c) => {
    // sqlalchemy_store.py get_model_version_by_alias: no model → 404; no alias → 400; in 3.x
    // `latest` (any case) is the newest version.
    const name = c.req.query('name') ?? '';
    const alias = c.req.query('alias') ?? '';
    const model = state.models.get(name);
    if (!model) return notFound(c, `Registered Model with name=${name} not found`);
    const version =
      state.major === 3 && alias.toLowerCase() === 'latest'
        ? model.versions.at(-1)?.version
        : model.aliases.get(alias);
    const mv = model.versions.find((v) => v.version === version);
    if (!mv) return invalid(c, `Registered model alias ${alias} not found.`);
    return c.json({ model_version: shown(model, mv) });
  });
  app.post(`${base}/registered-models/alias`, async (c) => {
    const body = await c.req.json<{ name: string; alias: string; version: string }>();
    // mlflow/utils/validation.py _validate_model_alias_name_reserved.
    if (body.alias.toLowerCase() === 'latest')
      return invalid(c, "'latest' alias name (case insensitive) is reserved.");
    if (/^[vV]\d+$/.test(body.alias))
      return invalid(c, `Version alias name '${body.alias}' is reserved.`);
    const model = state.models.get(body.name);
    if (!findVersion(body.name, String(body.version)) || !model)
      return notFound(c, `Model Version (name=${body.name}, version=${body.version}) not found`);
    model.aliases.set(body.alias, String(body.version));
    return c.json({});
  });
  app.get(`${base}/model-versions/get`, (c) => {
    const name = c.req.query('name') ?? '';
    const version = c.req.query('version') ?? '';
    if (!/^\d+$/.test(version))
      return invalid(c, `Parameter 'version' must be an integer, got '${version}'.`);
    const mv = findVersion(name, version);
    if (!mv) return notFound(c, `Model Version (name=${name}, version=${version}) not found`);
    return c.json({ model_version: shown(state.models.get(name)!, mv) });
  });
  app.get(`${base}/model-versions/get-download-uri`, (c) => {
    // sqlalchemy_store.py get_model_version_download_uri: storage_location or source.
    const mv = findVersion(c.req.query('name') ?? '', c.req.query('version') ?? '');
    if (!mv) return notFound(c, 'Model Version not found');
    return c.json({ artifact_uri: mv.storage_location || mv.source });
  });
  app.get(`${base}/model-versions/search`, (c) => {
    const filter = c.req.query('filter') ?? '';
    const all = [...state.models.values()].flatMap((m) =>
      [...m.versions]
        .reverse()
        .filter((mv) => matches(filter, mv))
        .map((mv) => shown(m, mv, false)),
    );
    // handlers.py _search_model_versions: at most 200000; search results carry no aliases.
    const result = page(c, all, 200_000, 10_000);
    if ('refused' in result) return result.refused;
    return c.json({
      model_versions: result.items,
      ...(result.next_page_token ? { next_page_token: result.next_page_token } : {}),
    });
  });
  app.post(`${base}/model-versions/create`, async (c) => {
    const body = await c.req.json<{
      name: string;
      source: string;
      run_id?: string;
      description?: string;
      tags?: { key: string; value: string }[];
    }>();
    if (!state.models.has(body.name))
      return notFound(c, `Registered Model with name=${body.name} not found`);
    const tags = Object.fromEntries((body.tags ?? []).map((t) => [t.key, t.value]));
    const mv = addVersion(state, body.name, body.source, { runId: body.run_id ?? '', tags });
    mv.description = body.description ?? '';
    return c.json({ model_version: mv });
  });
  app.get(`${base}/logged-models/:id`, (c) => {
    // 3.x only (handlers.py _get_logged_model); 2.x has no such endpoint.
    const location = state.loggedModels.get(c.req.param('id'));
    if (state.major === 2)
      return c.json({ error_code: 'ENDPOINT_NOT_FOUND', message: 'Not found' }, 404);
    if (!location) return notFound(c, `Logged model with ID '${c.req.param('id')}' not found.`);
    return c.json({ model: { info: { model_id: c.req.param('id'), artifact_uri: location } } });
  });
  app.post(`${base}/runs/create`, async (c) => {
    const body = await c.req.json<{ experiment_id: string }>();
    const runId = randomBytes(16).toString('hex');
    const root = state.artifactRoot.endsWith('/') ? state.artifactRoot : `${state.artifactRoot}/`;
    const run = {
      run_id: runId,
      experiment_id: body.experiment_id,
      status: 'RUNNING',
      artifact_uri: `${root}${body.experiment_id}/${runId}/artifacts`,
      tags: [],
    };
    state.runs.set(runId, run);
    return c.json({ run: runJson(run) });
  });
  app.post(`${base}/runs/update`, async (c) => {
    const body = await c.req.json<{ run_id: string; status: string }>();
    const run = state.runs.get(body.run_id);
    if (!run) return notFound(c, `Run '${body.run_id}' not found.`);
    run.status = body.status;
    return c.json({ run_info: runJson(run).info });
  });
  app.get(`${base}/runs/get`, (c) => {
    const run = state.runs.get(c.req.query('run_id') ?? '');
    if (!run) return notFound(c, `Run '${c.req.query('run_id')}' not found.`);
    return c.json({ run: runJson(run) });
  });
}

function runJson(run: FakeState['runs'] extends Map<string, infer R> ? R : never) {
  const { tags, ...info } = run;
  return { info: { ...info, run_uuid: run.run_id, lifecycle_stage: 'active' }, data: { tags } };
}
