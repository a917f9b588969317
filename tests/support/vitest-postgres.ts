import type { TestProject } from 'vitest/node';
import { acquirePostgres } from './postgres';

import type {} from './test-database.js'; // declares ProvidedContext.postgresAdminUrl

/** Vitest global setup for the server project: one PostgreSQL for the whole run. */
export default async function setup(project: TestProject) {
  const handle = await acquirePostgres();
  project.provide('postgresAdminUrl', handle.adminUrl);
  return () => handle.stop();
}
