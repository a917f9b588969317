import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { feedbackRequestSchema } from '../shared/api.js';
import { statsResponseSchema } from '../shared/stats.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import type { Database } from './db/index.js';
import { createLogger } from './log.js';
import { openApiDocument } from './openapi.js';
import type { ModelRegistry } from './registry/types.js';

type Doc = { paths: Record<string, Record<string, Record<string, unknown>>> };

/** The app with every optional part mounted (registry, static files); routes only, never called. */
function fullApp() {
  return createApp({
    config: loadConfig({}),
    db: {} as Database,
    log: createLogger('silent'),
    installation: { id: 'test', firstStartedAt: new Date(0).toISOString() },
    registry: { kind: 'builtin', description: 'test' } as ModelRegistry,
    clientDir: '/nonexistent',
  });
}

/** `GET /api/v1/models/:name/files/:path{.+}` → `get /api/v1/models/{name}/files/{path}`. */
function openApiRoute(method: string, path: string): string {
  return `${method.toLowerCase()} ${path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}')}`;
}

describe('the OpenAPI document', () => {
  const doc = openApiDocument() as Doc;

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is checked by a validator that does reject a broken document', async () => {
    const broken = structuredClone(doc);
    // A parameter "in" the body is OpenAPI 2, not 3.x.
    (broken.paths['/api/v1/stats']!.get!.parameters as { in: string }[])[0]!.in = 'body';
    expect((await new Validator().validate(broken as never)).valid).toBe(false);
  });

  it('lists every route the app mounts, and no route the app does not have', () => {
    const mounted = new Set(
      fullApp()
        .routes.filter((r) => r.method !== 'ALL' && r.path !== '/*') // middleware and the PWA's files
        .map((r) => openApiRoute(r.method, r.path)),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((m) => `${m} ${path}`),
      ),
    );
    expect([...documented].sort()).toEqual([...mounted].sort());
  });

  it('takes bodies from the zod schemas the routes validate with', () => {
    const feedback = doc.paths['/api/v1/predictions/feedback']!.post!.requestBody as {
      content: Record<string, { schema: unknown }>;
    };
    const { $schema: _ignored, ...expected } = z.toJSONSchema(feedbackRequestSchema, {
      io: 'input',
    });
    expect(feedback.content['application/json']!.schema).toEqual(expected);
    const stats = doc.paths['/api/v1/stats']!.get!.responses as Record<
      string,
      { content: Record<string, { schema: { properties: object } }> }
    >;
    expect(Object.keys(stats['200']!.content['application/json']!.schema.properties)).toEqual(
      Object.keys(statsResponseSchema.shape),
    );
  });

  it('documents a pack version as a positive integer everywhere it appears', () => {
    const found: unknown[] = [];
    const visit = (node: unknown, key: string) => {
      if (Array.isArray(node)) node.forEach((n) => visit(n, key));
      else if (node && typeof node === 'object') {
        if (key === 'version') found.push(node);
        for (const [k, v] of Object.entries(node)) visit(v, k === 'properties' ? key : k);
      }
    };
    for (const path of ['/api/v1/models', '/api/v1/stats', '/api/v1/predictions/batch']) {
      visit(doc.paths[path], '');
    }
    const integer = { type: 'integer', minimum: 1, maximum: 2_147_483_647 };
    // Models and stats answer integers; ingest also takes digits from older outboxes.
    expect(found.length).toBeGreaterThanOrEqual(3);
    for (const schema of found) {
      const s = schema as { anyOf?: unknown[] };
      if (s.anyOf) expect(s.anyOf).toContainEqual(integer);
      else expect(schema).toEqual(integer);
    }
  });

  it('describes the stats query parameters and marks admin and device routes as secured', () => {
    const stats = doc.paths['/api/v1/stats']!.get!;
    expect((stats.parameters as { name: string }[]).map((p) => p.name)).toEqual([
      'model',
      'from',
      'to',
    ]);
    expect(stats.security).toEqual([{ adminToken: [] }]);
    expect(doc.paths['/api/v1/predictions/batch']!.post!.security).toEqual([{ deviceToken: [] }]);
    expect(doc.paths['/api/v1/models']!.get!.security).toBeUndefined();
  });

  it('is served at /api/v1/openapi.json as JSON', async () => {
    const res = await fullApp().request('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(doc);
  });
});
