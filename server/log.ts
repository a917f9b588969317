import pino, { type Logger } from 'pino';

/** Structured JSON logs; credentials are redacted wherever they appear in a logged object. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.token',
        '*.password',
        'config.ADMIN_TOKEN',
        'config.DATABASE_URL',
      ],
      censor: '[redacted]',
    },
  });
}

export type { Logger };
