/**
 * A contract fake of an MLflow 2.x tracking server, for tests: no MLflow server can run here.
 * Built from MLflow's documented REST API (https://mlflow.org/docs/latest/rest-api.html): the
 * request parameters and the response JSON of registered-models/{create,search,alias},
 * model-versions/{create,get,search}, runs/{create,update,get}, and the artifact proxy
 * (/api/2.0/mlflow-artifacts/artifacts/<path>, GET/PUT), including the error document
 * `{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": …}` with HTTP 404 and
 * RESOURCE_ALREADY_EXISTS / INVALID_PARAMETER_VALUE with HTTP 400. Versions and timestamps are
 * strings/int64 as MLflow sends them. It serves on a real loopback socket.
 */
import { randomBytes } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { MlflowModelVersion } from '../mlflow-client.js';

interface FakeModel {
  name: string;
  creation_timestamp: number;
  aliases: Map<string, string>;
  versions: MlflowModelVersion[];
}

export interface MlflowFake {
  url: string;
  /** `METHOD path` of every request, in order. */
  requests: string[];
  /** Files behind the artifact proxy, by path after `mlflow-artifacts:/`. */
  artifacts: Map<string, Buffer>;
  /** Registers a version as a Python job would (`mlflow.register_model`), with the given source. */
  addVersion(
    name: string,
    source: string,
    options?: { alias?: string; runId?: string },
  ): MlflowModelVersion;
  addRun(runId: string, artifactUri: string): void;
  /** `down`: every call answers 503; `hang`: calls never answer. */
  mode: 'up' | 'down' | 'hang';
  stop(): Promise<void>;
}

const error = (c: Context, status: 400 | 404, code: string, message: string) =>
  c.json({ error_code: code, message }, status);

/** Starts the fake; runs created through the API get artifact URIs under `artifactRoot`. */
export async function startMlflowFake(artifactRoot = 'mlflow-artifacts:/'): Promise<MlflowFake> {
  const models = new Map<string, FakeModel>();
  const runs = new Map<
    string,
    {
      run_id: string;
      run_uuid: string;
      experiment_id: string;
      status: string;
      artifact_uri: string;
      lifecycle_stage: string;
    }
  >();
  const requests: string[] = [];
  const artifacts = new Map<string, Buffer>();
  const hanging: Array<() => void> = [];
  const app = new Hono();

  const withAliases = (model: FakeModel, mv: MlflowModelVersion): MlflowModelVersion => ({
    ...mv,
    aliases: [...model.aliases].filter(([, v]) => v === mv.version).map(([a]) => a),
  });
  const addVersion: MlflowFake['addVersion'] = (name, source, options = {}) => {
    let model = models.get(name);
    if (!model) {
      model = { name, creation_timestamp: Date.now(), aliases: new Map(), versions: [] };
      models.set(name, model);
    }
    const mv: MlflowModelVersion & Record<string, unknown> = {
      name,
      version: String(model.versions.length + 1),
      creation_timestamp: Date.now(),
      last_updated_timestamp: Date.now(),
      current_stage: 'None',
      description: '',
      source,
      run_id: options.runId ?? '',
      status: 'READY',
      tags: [],
    };
    model.versions.push(mv);
    if (options.alias) model.aliases.set(options.alias, mv.version);
    return mv;
  };

  app.use('*', async (c, next) => {
    requests.push(`${c.req.method} ${c.req.path}`);
    if (fake.mode === 'down')
      return c.json({ error_code: 'TEMPORARILY_UNAVAILABLE', message: 'down for a test' }, 503);
    if (fake.mode === 'hang')
      return new Promise<Response>((resolve) => hanging.push(() => resolve(c.text('late'))));
    return next();
  });

  const base = '/api/2.0/mlflow';
  app.get(`${base}/registered-models/search`, (c) =>
    c.json({
      registered_models: [...models.values()].map((m) => ({
        name: m.name,
        creation_timestamp: m.creation_timestamp,
        last_updated_timestamp: m.creation_timestamp,
        aliases: [...m.aliases].map(([alias, version]) => ({ alias, version })),
        latest_versions: m.versions.slice(-1).map((mv) => withAliases(m, mv)),
      })),
    }),
  );
  app.post(`${base}/registered-models/create`, async (c) => {
    const { name } = await c.req.json<{ name: string }>();
    if (models.has(name))
      return error(
        c,
        400,
        'RESOURCE_ALREADY_EXISTS',
        `Registered Model (name=${name}) already exists.`,
      );
    models.set(name, { name, creation_timestamp: Date.now(), aliases: new Map(), versions: [] });
    return c.json({ registered_model: { name, creation_timestamp: Date.now() } });
  });
  app.get(`${base}/registered-models/alias`, (c) => {
    const model = models.get(c.req.query('name') ?? '');
    const version = model?.aliases.get(c.req.query('alias') ?? '');
    const mv = model?.versions.find((v) => v.version === version);
    if (!model || !mv)
      return error(
        c,
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Registered model alias ${c.req.query('alias')} not found.`,
      );
    return c.json({ model_version: withAliases(model, mv) });
  });
  app.post(`${base}/registered-models/alias`, async (c) => {
    const body = await c.req.json<{ name: string; alias: string; version: string }>();
    const model = models.get(body.name);
    if (!model?.versions.some((v) => v.version === body.version)) {
      return error(
        c,
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Model Version (name=${body.name}, version=${body.version}) not found`,
      );
    }
    model.aliases.set(body.alias, body.version);
    return c.json({});
  });
  app.get(`${base}/model-versions/get`, (c) => {
    const model = models.get(c.req.query('name') ?? '');
    const version = c.req.query('version') ?? '';
    if (!/^\d+$/.test(version))
      return error(
        c,
        400,
        'INVALID_PARAMETER_VALUE',
        `Model version must be an integer, got '${version}'`,
      );
    const mv = model?.versions.find((v) => v.version === version);
    if (!model || !mv)
      return error(
        c,
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Model Version (name=${c.req.query('name')}, version=${version}) not found`,
      );
    return c.json({ model_version: withAliases(model, mv) });
  });
  app.get(`${base}/model-versions/search`, (c) => {
    const name = /^name\s*=\s*'([^']*)'$/.exec(c.req.query('filter') ?? '')?.[1];
    const model = name === undefined ? undefined : models.get(name);
    // Like MLflow, search results carry no aliases field here.
    return c.json({ model_versions: model ? [...model.versions].reverse() : [] });
  });
  app.post(`${base}/model-versions/create`, async (c) => {
    const body = await c.req.json<{
      name: string;
      source: string;
      run_id?: string;
      description?: string;
      tags?: { key: string; value: string }[];
    }>();
    if (!models.has(body.name))
      return error(
        c,
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Registered Model with name=${body.name} not found`,
      );
    const mv = addVersion(body.name, body.source, { runId: body.run_id ?? '' });
    mv.description = body.description ?? '';
    mv.tags = body.tags ?? [];
    return c.json({ model_version: mv });
  });
  app.post(`${base}/runs/create`, async (c) => {
    const body = await c.req.json<{ experiment_id: string }>();
    const runId = randomBytes(16).toString('hex');
    const info = {
      run_id: runId,
      run_uuid: runId,
      experiment_id: body.experiment_id,
      status: 'RUNNING',
      lifecycle_stage: 'active',
      artifact_uri: `${artifactRoot.endsWith('/') ? artifactRoot : `${artifactRoot}/`}${body.experiment_id}/${runId}/artifacts`,
    };
    runs.set(runId, info);
    return c.json({ run: { info, data: {} } });
  });
  app.post(`${base}/runs/update`, async (c) => {
    const body = await c.req.json<{ run_id: string; status: string }>();
    const info = runs.get(body.run_id);
    if (!info) return error(c, 404, 'RESOURCE_DOES_NOT_EXIST', `Run '${body.run_id}' not found.`);
    info.status = body.status;
    return c.json({ run_info: info });
  });
  app.get(`${base}/runs/get`, (c) => {
    const info = runs.get(c.req.query('run_id') ?? '');
    if (!info)
      return error(c, 404, 'RESOURCE_DOES_NOT_EXIST', `Run '${c.req.query('run_id')}' not found.`);
    return c.json({ run: { info, data: {} } });
  });

  const artifactPrefix = '/api/2.0/mlflow-artifacts/artifacts/';
  app.get(`${artifactPrefix}*`, (c) => {
    const bytes = artifacts.get(decodeURIComponent(c.req.path.slice(artifactPrefix.length)));
    if (!bytes) return error(c, 404, 'RESOURCE_DOES_NOT_EXIST', 'File not found');
    // The proxy streams whole files and ignores Range, as MLflow's does for most backends.
    return c.body(new Uint8Array(bytes), 200, { 'Content-Type': 'application/octet-stream' });
  });
  app.put(`${artifactPrefix}*`, async (c) => {
    artifacts.set(
      decodeURIComponent(c.req.path.slice(artifactPrefix.length)),
      Buffer.from(await c.req.arrayBuffer()),
    );
    return c.json({});
  });

  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as { port: number }).port;
  const fake: MlflowFake = {
    url: `http://127.0.0.1:${port}`,
    requests,
    artifacts,
    addVersion,
    addRun: (runId, artifactUri) =>
      void runs.set(runId, {
        run_id: runId,
        run_uuid: runId,
        experiment_id: '0',
        status: 'FINISHED',
        artifact_uri: artifactUri,
        lifecycle_stage: 'active',
      }),
    mode: 'up',
    async stop() {
      for (const release of hanging.splice(0)) release();
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
