/**
 * A contract fake of an MLflow tracking server (2.x or 3.x), for tests: no MLflow server can run
 * here. It follows MLflow's own source (the files are named beside each behaviour, paths in the
 * mlflow repository), not our assumptions:
 * - errors are `{"error_code", "message"}` with the status of mlflow/exceptions.py
 *   (RESOURCE_DOES_NOT_EXIST 404, INVALID_PARAMETER_VALUE / RESOURCE_ALREADY_EXISTS 400,
 *   INTERNAL_ERROR 500); versions and timestamps are JSON numbers or strings as MLflow's proto
 *   JSON writes them (int64 versions as strings in ModelVersion);
 * - the basic-auth app answers 401 and 403 in plain text (mlflow/server/auth/__init__.py);
 * - the registry endpoints live in mlflow-fake-registry.ts, the file endpoints in
 *   mlflow-fake-files.ts. It serves on a real loopback socket.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { MlflowModelVersion } from '../mlflow-client.js';
import { fileRoutes } from './mlflow-fake-files.js';
import { registryRoutes } from './mlflow-fake-registry.js';

export interface FakeModel {
  name: string;
  creation_timestamp: number;
  aliases: Map<string, string>;
  versions: (MlflowModelVersion & { storage_location: string })[];
}

export interface FakeRun {
  run_id: string;
  experiment_id: string;
  status: string;
  artifact_uri: string;
  tags: { key: string; value: string }[];
}

export interface FakeState {
  major: 2 | 3;
  models: Map<string, FakeModel>;
  runs: Map<string, FakeRun>;
  /** Logged models (3.x): id → artifact location. */
  loggedModels: Map<string, string>;
  /** File contents by full artifact URI (`mlflow-artifacts:/1/r/artifacts/tfjs/model.json`, `gs://…`). */
  files: Map<string, Buffer>;
  artifactRoot: string;
}

export interface MlflowFakeOptions {
  /** MLflow major version whose behaviour to follow (3: models:/ sources, logged models). */
  major?: 2 | 3;
  /** Artifact root of new runs (`mlflow-artifacts:/` as `mlflow server --serve-artifacts`). */
  artifactRoot?: string;
  /** Basic auth as `mlflow server --app-name basic-auth`: users; non-admins only read. */
  users?: Record<string, { password: string; admin?: boolean }>;
}

export interface MlflowFake {
  url: string;
  /** `METHOD path` of every request, in order. */
  requests: string[];
  /** Authorization header of every request, in order. */
  authorizations: (string | undefined)[];
  /** File contents by full artifact URI. */
  files: Map<string, Buffer>;
  /** Registers a version as a Python job would, with the given source (and tags). */
  addVersion(
    name: string,
    source: string,
    options?: { alias?: string; runId?: string; tags?: Record<string, string> },
  ): MlflowModelVersion;
  addRun(runId: string, artifactUri: string, tags?: Record<string, string>): void;
  /** A 3.x logged model (`m-<32 hex>`) whose files are under `artifactLocation`. */
  addLoggedModel(id: string, artifactLocation: string): void;
  /** `down`: every call answers 503; `hang`: calls never answer. */
  mode: 'up' | 'down' | 'hang';
  stop(): Promise<void>;
}

/** Starts the fake on a free loopback port. */
export async function startMlflowFake(options: MlflowFakeOptions = {}): Promise<MlflowFake> {
  const state: FakeState = {
    major: options.major ?? 2,
    models: new Map(),
    runs: new Map(),
    loggedModels: new Map(),
    files: new Map(),
    artifactRoot: options.artifactRoot ?? 'mlflow-artifacts:/',
  };
  const requests: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const hanging: Array<() => void> = [];
  const app = new Hono();

  app.use('*', async (c, next) => {
    requests.push(`${c.req.method} ${c.req.path}`);
    authorizations.push(c.req.header('Authorization'));
    if (fake.mode === 'down')
      return c.json({ error_code: 'TEMPORARILY_UNAVAILABLE', message: 'down for a test' }, 503);
    if (fake.mode === 'hang')
      return new Promise<Response>((resolve) => hanging.push(() => resolve(c.text('late'))));
    if (options.users) {
      // mlflow/server/auth/__init__.py: no or wrong credentials → 401 (make_basic_auth_response),
      // a user without permission → 403 "Permission denied" (make_forbidden_response); the
      // default permission is READ, so a non-admin cannot create runs, models or versions.
      const [scheme, encoded] = (c.req.header('Authorization') ?? '').split(' ');
      const [user = '', password] = Buffer.from(encoded ?? '', 'base64')
        .toString()
        .split(':');
      const account = scheme === 'Basic' ? options.users[user] : undefined;
      if (!account || account.password !== password) {
        return c.text(
          'You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.',
          401,
          { 'WWW-Authenticate': 'Basic realm="mlflow"' },
        );
      }
      const writes = c.req.method !== 'GET' && c.req.method !== 'HEAD';
      if (writes && !account.admin) return c.text('Permission denied', 403);
    }
    return next();
  });
  registryRoutes(app, state);
  fileRoutes(app, state);

  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as { port: number }).port;
  const fake: MlflowFake = {
    url: `http://127.0.0.1:${port}`,
    requests,
    authorizations,
    files: state.files,
    addVersion: (name, source, opts = {}) => addVersion(state, name, source, opts),
    addRun: (runId, artifactUri, tags = {}) =>
      void state.runs.set(runId, {
        run_id: runId,
        experiment_id: '0',
        status: 'FINISHED',
        artifact_uri: artifactUri,
        tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
      }),
    addLoggedModel: (id, location) => void state.loggedModels.set(id, location),
    mode: 'up',
    async stop() {
      for (const release of hanging.splice(0)) release();
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

/**
 * A new version, as `model-versions/create` makes it: a `models:/m-<id>` source is stored with the
 * logged model's artifact location as storage_location (3.x sqlalchemy_store.py
 * `create_model_version`); other sources are their own location.
 */
export function addVersion(
  state: FakeState,
  name: string,
  source: string,
  options: { alias?: string; runId?: string; tags?: Record<string, string> } = {},
): MlflowModelVersion {
  let model = state.models.get(name);
  if (!model) {
    model = { name, creation_timestamp: Date.now(), aliases: new Map(), versions: [] };
    state.models.set(name, model);
  }
  const loggedModel = /^models:\/(m-[0-9a-f]+)/.exec(source)?.[1];
  const mv = {
    name,
    version: String(model.versions.length + 1),
    creation_timestamp: Date.now(),
    last_updated_timestamp: Date.now(),
    current_stage: 'None',
    description: '',
    source,
    run_id: options.runId ?? '',
    status: 'READY',
    tags: Object.entries(options.tags ?? {}).map(([key, value]) => ({ key, value })),
    storage_location:
      (loggedModel && state.major === 3 && state.loggedModels.get(loggedModel)) || source,
  };
  model.versions.push(mv);
  if (options.alias) model.aliases.set(options.alias, mv.version);
  return mv;
}
