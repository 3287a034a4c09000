import { ConfigError, formatUsage, loadConfig } from '@clickstream/runtime';
import { StreamConsumerConfigSchema } from './config';
import { usageSpec } from './usage';

const base: Record<string, string> = {"DATABASE_URL": "postgres://u@localhost/db"};

describe('stream-consumer configuration', () => {
  it('applies the defaults of DESIGN.md', () => {
    const config = loadConfig(StreamConsumerConfigSchema, base);
    expect(config.CONSUMER_PORT).toBe(9101);
    expect(config.STREAM_PIPELINES).toBe('archiver,live');
  });

  it.each([
    ['STREAM_PIPELINES', 'archiver,etl'],
    ['DATABASE_URL', 'mysql://x'],
  ])('refuses a bad %s, naming it', (variable, value) => {
    let error: unknown;
    try {
      loadConfig(StreamConsumerConfigSchema, { ...base, [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(variable);
  });

  it('lists every variable it reads in --help', () => {
    const help = formatUsage(usageSpec);
    for (const variable of Object.keys(StreamConsumerConfigSchema.properties)) expect(help).toContain(variable);
  });
});
