/**
 * The MLflow fake's file endpoints (see mlflow-fake.ts), as mlflow/server/handlers.py serves them:
 * - the artifact proxy `GET|PUT /api/2.0/mlflow-artifacts/artifacts/<path>` (`_download_artifact`
 *   streams the whole file: no Range, no Content-Length; a missing file makes the artifact
 *   repository's download raise an MlflowException without code → 500 INTERNAL_ERROR,
 *   mlflow/store/artifact/artifact_repo.py `download_artifacts`);
 * - `GET /model-versions/get-artifact?name=&version=&path=` (mlflow/server/__init__.py,
 *   `get_model_version_artifact_handler`: the version's download URI, sent with Flask's send_file,
 *   so Content-Length and Range work; a missing local file raises OSError → Flask's bare 500 page).
 */
import type { Context, Hono } from 'hono';
import type { FakeState } from './mlflow-fake.js';

const PROXY = '/api/2.0/mlflow-artifacts/artifacts/';

/** The file at `uri` + `path`, with `mlflow-artifacts://host/x` and `mlflow-artifacts:/x` alike. */
function lookup(state: FakeState, uri: string, path = ''): Buffer | undefined {
  const full = path ? `${uri.replace(/\/+$/, '')}/${path}` : uri;
  return state.files.get(full.replace(/^mlflow-artifacts:\/\/[^/]*\//, 'mlflow-artifacts:/'));
}

function internalError(c: Context, uri: string) {
  return c.json(
    {
      error_code: 'INTERNAL_ERROR',
      message: `The following failures occurred while downloading one or more artifacts from ${uri}:\n##### File ${uri} #####\n[Errno 2] No such file or directory`,
    },
    500,
  );
}

/** A byte range as send_file honours it (single range only). */
function ranged(c: Context, bytes: Buffer): Response {
  const range = /^bytes=(\d+)-(\d*)$/.exec(c.req.header('Range') ?? '');
  const headers = {
    'Content-Type': 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    'Content-Disposition': 'attachment',
  };
  if (!range)
    return c.body(new Uint8Array(bytes), 200, {
      ...headers,
      'Content-Length': String(bytes.length),
    });
  const start = Number(range[1]);
  const end = range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
  return c.body(new Uint8Array(bytes.subarray(start, end + 1)), 206, {
    ...headers,
    'Content-Range': `bytes ${start}-${end}/${bytes.length}`,
    'Content-Length': String(end - start + 1),
  });
}

export function fileRoutes(app: Hono, state: FakeState): void {
  app.get(`${PROXY}*`, (c) => {
    const uri = `mlflow-artifacts:/${decodeURIComponent(c.req.path.slice(PROXY.length))}`;
    const bytes = lookup(state, uri);
    if (!bytes) return internalError(c, uri);
    return c.body(new Uint8Array(bytes), 200, { 'Content-Type': 'application/octet-stream' });
  });
  app.put(`${PROXY}*`, async (c) => {
    const uri = `mlflow-artifacts:/${decodeURIComponent(c.req.path.slice(PROXY.length))}`;
    state.files.set(uri, Buffer.from(await c.req.arrayBuffer()));
    return c.json({});
  });
  app.get('/model-versions/get-artifact', (c) => {
    const mv = state.models
      .get(c.req.query('name') ?? '')
      ?.versions.find((v) => v.version === c.req.query('version'));
    if (!mv)
      return c.json(
        { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Model Version not found' },
        404,
      );
    const location = mv.storage_location || mv.source || '';
    const path = c.req.query('path') ?? '';
    const bytes = lookup(state, location, path);
    if (!bytes) return c.html('<!doctype html>\n<title>500 Internal Server Error</title>', 500);
    return ranged(c, bytes);
  });
}
