import { Hono } from 'hono';
import {
  DEFAULT_STATS_DAYS,
  MAX_STATS_DAYS,
  statsQuerySchema,
  type StatsQuery,
} from '../../shared/stats.js';
import type { Database } from '../db/index.js';
import { httpProblem } from '../problem.js';
import { queryStats, type StatsWindow } from '../stats/query.js';
import { requireAdmin } from './admin-auth.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Turns the validated query into a window: defaults, `from < to`, and at most MAX_STATS_DAYS. */
export function statsWindow(query: StatsQuery, now: Date): StatsWindow {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from
    ? new Date(query.from)
    : new Date(to.getTime() - DEFAULT_STATS_DAYS * DAY_MS);
  if (!(from < to)) throw httpProblem(400, '"from" must be before "to".');
  if (to.getTime() - from.getTime() > MAX_STATS_DAYS * DAY_MS) {
    throw httpProblem(
      400,
      `The window may span at most ${MAX_STATS_DAYS} days; narrow "from" or "to".`,
    );
  }
  return { model: query.model, from, to };
}

/**
 * `GET /stats?model=&from=&to=` (admin token): per model version, predictions per UTC day and
 * species, the confidence histogram, the "not sure" rate and users' disagreement with the model.
 */
export function statsRoutes(deps: {
  db: Database;
  adminToken: string | undefined;
  now?: () => Date;
}): Hono {
  const app = new Hono();
  app.get('/stats', requireAdmin(deps.adminToken), async (c) => {
    const parsed = statsQuerySchema.safeParse(c.req.query());
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
      throw httpProblem(400, `Invalid stats query: ${issues.join('; ')}`, { issues });
    }
    const window = statsWindow(parsed.data, deps.now?.() ?? new Date());
    c.header('Cache-Control', 'no-store');
    return c.json(await queryStats(deps.db, window));
  });
  return app;
}
