import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses the embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.DATA_DIR).toBe('.data');
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('reads PORT and DATABASE_URL from the environment', () => {
    const config = loadConfig({ PORT: '9001', DATABASE_URL: 'postgres://u:p@db:5432/fish' });
    expect(config.PORT).toBe(9001);
    expect(config.DATABASE_URL).toBe('postgres://u:p@db:5432/fish');
  });

  it('names DATABASE_URL and what was expected when it is not a PostgreSQL URL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'not-a-url' })).toThrowError(
      /DATABASE_URL: expected a PostgreSQL URL.*not-a-url/,
    );
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues.join('\n');
      expect(issues).toMatch(/^PORT: expected a TCP port number/m);
      expect(issues).toMatch(/^LOG_LEVEL:/m);
    }
  });

  it('never echoes a secret value in the error', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'short' })).toThrowError(/ADMIN_TOKEN.*\*\*\*/);
    expect(() => loadConfig({ ADMIN_TOKEN: 'short' })).not.toThrowError(/short"/);
  });
});
