/**
 * The OpenAPI 3.1 document of the HTTP API, served at GET /api/v1/openapi.json. Request and
 * response bodies are converted from the zod schemas the routes and the app validate with
 * (shared/api.ts, shared/models-api.ts, shared/stats.ts; see openapi-operations.ts), so the
 * document cannot drift from them; a test checks that it lists every route the app mounts and
 * that it is a valid OpenAPI document.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { OPERATIONS, type Json, type Operation } from './openapi-operations.js';
import { APP_VERSION } from './version.js';

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema, without the `$schema` key. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  return rest;
}

function queryParameters(query: z.ZodObject): Json[] {
  const schema = jsonSchema(query, 'input') as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([key, property]) => {
    const { description, ...rest } = property;
    return {
      name: key,
      in: 'query',
      required: schema.required?.includes(key) ?? false,
      schema: rest,
      ...(description ? { description } : {}),
    };
  });
}

function operationObject(op: Operation): Json {
  const parameters = [
    ...Object.entries(op.pathParams ?? {}).map(([key, schema]) => ({
      name: key,
      in: 'path',
      required: true,
      schema,
    })),
    ...(op.query ? queryParameters(op.query) : []),
  ];
  const responses = Object.fromEntries(
    Object.entries(op.responses).map(([status, body]) => {
      const contentType =
        'raw' in body
          ? body.contentType
          : Number(status) >= 400
            ? 'application/problem+json'
            : (body.contentType ?? 'application/json');
      const schema = 'raw' in body ? body.raw : jsonSchema(body.schema, 'output');
      return [
        status,
        {
          description: body.description,
          ...(status === '304' || status === '204'
            ? {}
            : { content: { [contentType]: { schema } } }),
        },
      ];
    }),
  );
  return {
    operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: op.summary,
    tags: [op.tag],
    ...(op.auth
      ? { security: [{ [op.auth === 'admin' ? 'adminToken' : 'deviceToken']: [] }] }
      : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(op.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** Builds the whole document; the same object on every call (it depends on code only). */
export function openApiDocument(): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operationObject(op);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fishlens API',
      version: APP_VERSION,
      description:
        'Prediction ingest, the model registry, drift statistics and operations endpoints of a Fishlens server.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    tags: [{ name: 'ingest' }, { name: 'models' }, { name: 'stats' }, { name: 'operations' }],
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'The server’s ADMIN_TOKEN.' },
        deviceToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The token POST /api/v1/devices returned.',
        },
      },
    },
    paths,
  };
}

/** `GET /openapi.json` (mounted under /api/v1). */
export function openApiRoutes(): Hono {
  const app = new Hono();
  const document = JSON.stringify(openApiDocument());
  app.get('/openapi.json', (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.body(document, 200, { 'Content-Type': 'application/json' });
  });
  return app;
}
