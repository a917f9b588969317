import { z } from 'zod';
import { parseTrustProxy } from './client-address.js';
import { ingestConfigShape } from './ingest/config.js';
import { registryConfigShape } from './registry/config.js';

const postgresUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
  } catch {
    return false;
  }
}, 'expected a PostgreSQL URL such as postgres://user:password@host:5432/fishlens');

const port = z.coerce
  .number({ message: 'expected a TCP port number' })
  .int('expected a whole number')
  .min(0, 'expected a port between 0 and 65535')
  .max(65535, 'expected a port between 0 and 65535');

/** Every environment variable Fishlens reads, with its default and what a valid value looks like. */
export const configSchema = z.object({
  PORT: port.default(8080),
  /**
   * /metrics is served on this port only, never on PORT, so a public Ingress or port forward of
   * PORT cannot expose it; `off` serves no metrics. Bound to HOST like PORT.
   */
  METRICS_PORT: z.union([z.literal('off'), port]).default(9464),
  HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * Which peers are proxies whose X-Forwarded-For names the client (for per-address limits):
   * unset trusts none; a hop count (1 = one Ingress or load balancer); or addresses/CIDR ranges.
   */
  TRUST_PROXY: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        parseTrustProxy(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  DATA_DIR: z.string().min(1, 'expected a folder path').default('.data'),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ADMIN_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  ...registryConfigShape,
  ...ingestConfigShape,
});

export type Config = z.infer<typeof configSchema>;

/** Thrown when the environment does not describe a valid configuration; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; empty strings count as unset so `FOO= npm start` keeps the default. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const given = input[name];
        const shown = given === undefined ? '' : ` (got ${JSON.stringify(redact(name, given))})`;
        return `${name}: ${issue.message}${shown}`;
      }),
    );
  }
  return parsed.data;
}

function redact(name: string, value: string): string {
  return /TOKEN|SECRET|PASSWORD|KEY/.test(name) ? '***' : value;
}
