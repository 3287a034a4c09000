import { ConfigError, formatUsage, loadConfig } from '@clickstream/runtime';
import { WebConfigSchema } from './config';
import { usageSpec } from './usage';

const base: Record<string, string> = {"DATABASE_URL": "postgres://u@localhost/db"};

describe('web configuration', () => {
  it('applies the defaults of DESIGN.md', () => {
    const config = loadConfig(WebConfigSchema, base);
    expect(config.WEB_PORT).toBe(3000);
    expect(config.WEB_ADMIN_USER).toBe('admin');
  });

  it.each([
    ['WEB_PORT', '70000'],
    ['WEB_ADMIN_PASSWORD', 'short'],
  ])('refuses a bad %s, naming it', (variable, value) => {
    let error: unknown;
    try {
      loadConfig(WebConfigSchema, { ...base, [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(variable);
  });

  it('lists every variable it reads in --help', () => {
    const help = formatUsage(usageSpec);
    for (const variable of Object.keys(WebConfigSchema.properties)) expect(help).toContain(variable);
  });
});
