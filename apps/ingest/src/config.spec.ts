import { ConfigError, formatUsage, loadConfig } from '@clickstream/runtime';
import { IngestConfigSchema } from './config';
import { usageSpec } from './usage';

const base: Record<string, string> = {"WRITE_KEYS": "shop:k1,blog:k2"};

describe('ingest configuration', () => {
  it('applies the defaults of DESIGN.md', () => {
    const config = loadConfig(IngestConfigSchema, base);
    expect(config.INGEST_PORT).toBe(8000);
    expect(config.WRITE_KEYS).toBe('shop:k1,blog:k2');
  });

  it.each([
    ['INGEST_PORT', 'eighty'],
    ['WRITE_KEYS', 'no-colon'],
  ])('refuses a bad %s, naming it', (variable, value) => {
    let error: unknown;
    try {
      loadConfig(IngestConfigSchema, { ...base, [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(variable);
  });

  it('lists every variable it reads in --help', () => {
    const help = formatUsage(usageSpec);
    for (const variable of Object.keys(IngestConfigSchema.properties)) expect(help).toContain(variable);
  });
});
