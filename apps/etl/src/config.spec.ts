import { ConfigError, formatUsage, loadConfig } from '@clickstream/runtime';
import { EtlConfigSchema } from './config';
import { usageSpec } from './usage';

const base: Record<string, string> = {"DATABASE_URL": "postgres://u@localhost/db"};

describe('etl configuration', () => {
  it('applies the defaults of DESIGN.md', () => {
    const config = loadConfig(EtlConfigSchema, base);
    expect(config.ETL_INTERVAL_SECONDS).toBe(60);
    expect(config.ETL_PORT).toBe(9102);
  });

  it.each([
    ['ETL_INTERVAL_SECONDS', '0'],
    ['RETENTION_DAYS', 'a week'],
  ])('refuses a bad %s, naming it', (variable, value) => {
    let error: unknown;
    try {
      loadConfig(EtlConfigSchema, { ...base, [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(variable);
  });

  it('lists every variable it reads in --help', () => {
    const help = formatUsage(usageSpec);
    for (const variable of Object.keys(EtlConfigSchema.properties)) expect(help).toContain(variable);
  });
});
