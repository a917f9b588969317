/**
 * The operations the OpenAPI document lists (server/openapi.ts turns them into the document):
 * each names the zod schemas its route validates with, so bodies come from the same source.
 */
import { z } from 'zod';
import {
  batchRequestSchema,
  batchResponseSchema,
  deviceResponseSchema,
  feedbackRequestSchema,
  feedbackResponseSchema,
  MAX_BATCH_ENTRIES,
  predictionSchema,
} from '../shared/api.js';
import { modelListSchema, modelVersionSchema } from '../shared/models-api.js';
import {
  MAX_PACK_VERSION,
  NAME_PATTERN,
  PACK_PATH_PATTERN,
  packVersionSchema,
} from '../shared/pack.js';
import { statsQuerySchema, statsResponseSchema } from '../shared/stats.js';
import { ALIAS_PATTERN } from './registry/types.js';

/** RFC 9457 problem document, the body of every error (server/problem.ts). */
export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional().describe('What went wrong and what to do about it.'),
  instance: z.string().optional(),
  requestId: z
    .string()
    .optional()
    .describe('The X-Request-Id of the request; the server logs the cause under it.'),
});

/** GET /api/v1/info (server/routes/info.ts). */
export const serverInfoSchema = z.object({
  name: z.literal('fishlens'),
  version: z.string(),
  database: z.enum(['postgres', 'pglite']),
  installationId: z.string(),
  firstStartedAt: z.iso.datetime(),
  startedAt: z.iso.datetime(),
});

// The envelope is checked first and each entry on its own (one bad entry never sinks the batch);
// the document shows the entry schema the server applies to each element.
const batchBodySchema = batchRequestSchema.extend({
  predictions: z.array(predictionSchema).min(1).max(MAX_BATCH_ENTRIES),
});
// Mirrors the body check of PUT /models/{name}/aliases/{alias} in routes/models.ts.
const aliasBodySchema = z.object({ version: packVersionSchema });

// What browsers send; the route reads only a few fields of each (routes/csp-reports.ts).
const cspReportSchema = z.union([
  z.object({ 'csp-report': z.record(z.string(), z.unknown()) }),
  z.array(z.object({ type: z.string(), body: z.record(z.string(), z.unknown()) })),
]);

const UNAVAILABLE =
  'The database cannot be reached, or is not the data the server started with: nothing was stored; retry after Retry-After seconds.';
const RATE_LIMITED =
  'Too many requests from this device, or with unknown tokens from this address: retry after Retry-After seconds.';

/** A JSON object (a JSON Schema, an OpenAPI object). */
export type Json = Record<string, unknown>;
/** One response or raw body: a zod schema, or a literal JSON Schema with its media type. */
export type Body =
  | { schema: z.ZodType; contentType?: string; description: string }
  | { raw: Json; contentType: string; description: string };

/** One documented route. */
export interface Operation {
  method: 'get' | 'post' | 'put';
  /** OpenAPI path, `{param}` style. */
  path: string;
  summary: string;
  tag: string;
  auth?: 'admin' | 'device';
  pathParams?: Record<string, Json>;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, Body>;
}

const name = { type: 'string', pattern: NAME_PATTERN.source };
const alias = { type: 'string', pattern: ALIAS_PATTERN.source };
const version = { type: 'integer', minimum: 1, maximum: MAX_PACK_VERSION };
const aliasQuery = z.object({
  alias: z
    .string()
    .regex(ALIAS_PATTERN)
    .optional()
    .describe('Default: production. `latest` and `v1`, `v2`… are reserved (400).'),
});
const json = (schema: z.ZodType, description: string): Body => ({ schema, description });
const text = (description: string, contentType = 'text/plain'): Body => ({
  raw: { type: 'string' },
  contentType,
  description,
});

/** Every route of the HTTP API, in the order the document lists them. */
export const OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/healthz',
    tag: 'operations',
    summary: 'Liveness: the process answers.',
    responses: { 200: json(z.object({ status: z.literal('ok') }), 'Alive.') },
  },
  {
    method: 'get',
    path: '/readyz',
    tag: 'operations',
    summary: 'Readiness: the database answers too.',
    responses: {
      200: json(z.object({ status: z.literal('ok'), database: z.string() }), 'Ready.'),
      503: json(
        problemSchema,
        'The database does not answer, or is not the data the server started with (checks.database: unreachable | replaced).',
      ),
    },
  },
  {
    method: 'get',
    path: '/api/v1/info',
    tag: 'operations',
    summary: 'What this server is: version, database kind, installation.',
    responses: { 200: json(serverInfoSchema, 'Server facts, no secrets.') },
  },
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    tag: 'operations',
    summary: 'This document.',
    responses: {
      200: {
        raw: { type: 'object' },
        contentType: 'application/json',
        description: 'OpenAPI 3.1.',
      },
    },
  },
  {
    method: 'post',
    path: '/api/v1/devices',
    tag: 'ingest',
    summary: 'Register a device; the token is shown once.',
    responses: {
      201: json(deviceResponseSchema, 'The new device and its bearer token.'),
      429: json(problemSchema, 'Too many registrations from this address (Retry-After).'),
      503: json(problemSchema, UNAVAILABLE),
    },
  },
  {
    method: 'post',
    path: '/api/v1/predictions/batch',
    tag: 'ingest',
    auth: 'device',
    summary: 'Store a batch of predictions once each (idempotent by id).',
    body: batchBodySchema,
    responses: {
      200: json(batchResponseSchema, 'Accepted, duplicate and rejected counts.'),
      400: json(problemSchema, 'Not a batch.'),
      401: json(problemSchema, 'No valid device token.'),
      413: json(problemSchema, 'Body too large.'),
      429: json(problemSchema, RATE_LIMITED),
      503: json(problemSchema, UNAVAILABLE),
    },
  },
  {
    method: 'post',
    path: '/api/v1/predictions/feedback',
    tag: 'ingest',
    auth: 'device',
    summary: "Set users' corrections on stored predictions.",
    body: feedbackRequestSchema,
    responses: {
      200: json(feedbackResponseSchema, 'Updated and unknown ids.'),
      400: json(problemSchema, 'Invalid feedback.'),
      401: json(problemSchema, 'No valid device token.'),
      429: json(problemSchema, RATE_LIMITED),
      503: json(problemSchema, UNAVAILABLE),
    },
  },
  {
    method: 'get',
    path: '/api/v1/models',
    tag: 'models',
    summary: 'Every model that has the alias.',
    query: aliasQuery,
    responses: {
      200: json(modelListSchema, 'Models; a version that cannot run is listed with `unusable`.'),
      400: json(problemSchema, 'Malformed or reserved alias.'),
      503: json(problemSchema, 'Registry unavailable.'),
    },
  },
  {
    method: 'get',
    path: '/api/v1/models/{name}',
    tag: 'models',
    summary: 'The version an alias names.',
    pathParams: { name },
    query: aliasQuery,
    responses: {
      200: json(modelVersionSchema, 'The version.'),
      400: json(problemSchema, 'Malformed name or reserved alias.'),
      404: json(problemSchema, 'No such model or alias.'),
      422: json(problemSchema, 'The version is not a model the app can run; the reason.'),
    },
  },
  {
    method: 'get',
    path: '/api/v1/models/{name}/versions/{version}',
    tag: 'models',
    summary: 'One version.',
    pathParams: { name, version },
    responses: {
      200: json(modelVersionSchema, 'The version.'),
      404: json(problemSchema, 'No such version.'),
      422: json(problemSchema, 'The version is not a model the app can run; the reason.'),
    },
  },
  {
    method: 'get',
    path: '/api/v1/models/{name}/versions/{version}/files/{path}',
    tag: 'models',
    summary: 'One file of a version (Range, If-None-Match; immutable).',
    pathParams: { name, version, path: { type: 'string', pattern: PACK_PATH_PATTERN.source } },
    responses: {
      200: {
        raw: { type: 'string', contentMediaType: 'application/octet-stream' },
        contentType: 'application/octet-stream',
        description: 'The file.',
      },
      206: {
        raw: { type: 'string' },
        contentType: 'application/octet-stream',
        description: 'A byte range of the file.',
      },
      304: text('Not modified.'),
      404: json(problemSchema, 'No such file.'),
      416: json(problemSchema, 'Range outside the file.'),
    },
  },
  {
    method: 'put',
    path: '/api/v1/models/{name}/aliases/{alias}',
    tag: 'models',
    auth: 'admin',
    summary: 'Point an alias at a version.',
    pathParams: { name, alias },
    body: aliasBodySchema,
    responses: {
      200: json(modelVersionSchema, 'The version the alias now names.'),
      400: json(problemSchema, 'Bad body.'),
      401: json(problemSchema, 'No bearer token.'),
      403: json(problemSchema, 'Wrong token.'),
      404: json(problemSchema, 'No such version.'),
    },
  },
  {
    method: 'post',
    path: '/api/v1/csp-reports',
    tag: 'operations',
    summary:
      'Content-Security-Policy violation reports (report-uri application/csp-report, or Reporting API application/reports+json).',
    body: cspReportSchema,
    responses: {
      204: text('Logged and counted.'),
      413: json(problemSchema, 'Body too large.'),
      429: json(problemSchema, 'Too many reports from this address.'),
    },
  },
  {
    method: 'get',
    path: '/api/v1/stats',
    tag: 'stats',
    auth: 'admin',
    summary: 'Drift statistics per model version over a window.',
    query: statsQuerySchema,
    responses: {
      200: json(statsResponseSchema, 'Counts per version.'),
      400: json(problemSchema, 'Bad window.'),
      401: json(problemSchema, 'No bearer token.'),
      403: json(problemSchema, 'Wrong token.'),
      503: json(problemSchema, UNAVAILABLE),
    },
  },
];
