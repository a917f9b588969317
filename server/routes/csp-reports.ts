/**
 * `POST /csp-reports`: where browsers report Content-Security-Policy violations (report-uri's
 * `application/csp-report` and the Reporting API's `application/reports+json`). Each report is
 * logged at warn level with the directive and the blocked resource, and counted, so a policy
 * that breaks part of the app shows up in logs and metrics instead of only in a user's console.
 * Anyone can post here: bodies are capped, reports are limited per client address, and only
 * known directive names become metric labels.
 */
import { Hono } from 'hono';
import { clientAddress, type TrustProxy } from '../client-address.js';
import { limitedJsonBody, parseJson, type IngestVariables } from '../ingest/body.js';
import { createLocalRateLimiter } from '../ingest/rate-limit.js';
import type { Logger } from '../log.js';
import { httpProblem } from '../problem.js';

/** One violation, from either report format. */
export interface CspViolation {
  directive: string;
  blocked: string;
  document: string;
  sourceFile?: string;
}

const DIRECTIVES = new Set([
  'default-src',
  'script-src',
  'script-src-elem',
  'script-src-attr',
  'style-src',
  'style-src-elem',
  'style-src-attr',
  'img-src',
  'media-src',
  'font-src',
  'connect-src',
  'worker-src',
  'manifest-src',
  'object-src',
  'base-uri',
  'form-action',
  'frame-ancestors',
  'frame-src',
  'child-src',
]);

const text = (value: unknown, max = 300) => (typeof value === 'string' ? value.slice(0, max) : '');

/** The violations in a report body of either format; unknown shapes give none. */
export function violationsOf(body: unknown): CspViolation[] {
  const entries: unknown[] = Array.isArray(body)
    ? (body as { type?: unknown; body?: unknown }[])
        .filter((report) => report?.type === 'csp-violation')
        .map((report) => report.body)
    : [(body as { 'csp-report'?: unknown } | null)?.['csp-report']];
  return entries.flatMap((entry) => {
    if (!entry || typeof entry !== 'object') return [];
    const r = entry as Record<string, unknown>;
    const directive = text(
      r.effectiveDirective ?? r['effective-directive'] ?? r['violated-directive'],
      60,
    ).split(' ')[0]!;
    return [
      {
        directive,
        blocked: text(r.blockedURL ?? r['blocked-uri']),
        document: text(r.documentURL ?? r['document-uri']),
        ...(text(r.sourceFile ?? r['source-file'])
          ? { sourceFile: text(r.sourceFile ?? r['source-file']) }
          : {}),
      },
    ];
  });
}

export function cspReportRoutes(deps: {
  log: Logger;
  trustProxy: TrustProxy | undefined;
  onViolation?: (directive: string) => void;
}): Hono<{ Variables: IngestVariables }> {
  const app = new Hono<{ Variables: IngestVariables }>();
  // A page with a broken policy reports on every load; a few a minute per address say enough.
  const limiter = createLocalRateLimiter({ perMinute: 60, burst: 60 });
  app.post(
    '/csp-reports',
    async (c, next) => {
      const verdict = limiter.take(clientAddress(c, deps.trustProxy));
      if (!verdict.ok) {
        throw httpProblem(
          429,
          'Too many reports; later ones are dropped.',
          {},
          {
            'Retry-After': String(verdict.retryAfterSeconds),
          },
        );
      }
      await next();
    },
    limitedJsonBody(64 * 1024, /^application\/(?:csp-report|(?:[\w.+-]+\+)?json)\s*(?:;|$)/i),
    (c) => {
      for (const violation of violationsOf(parseJson(c.get('bodyText')))) {
        const directive = DIRECTIVES.has(violation.directive) ? violation.directive : 'other';
        deps.onViolation?.(directive);
        deps.log.warn({ csp: violation, requestId: c.get('requestId') }, 'CSP violation');
      }
      return c.body(null, 204);
    },
  );
  return app;
}
