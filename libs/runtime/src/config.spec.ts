import { Type } from '@sinclair/typebox';
import { ConfigError, describeEnv, env, loadConfig, loadConfigOrExit } from './config';

const schema = Type.Object({
  LOG_LEVEL: env.LOG_LEVEL,
  INGEST_PORT: env.port(8000),
  KAFKA_BROKERS: env.KAFKA_BROKERS,
  KAFKA_TOPIC: env.KAFKA_TOPIC,
  DATABASE_URL: env.DATABASE_URL,
  S3_ENDPOINT: env.S3_ENDPOINT,
  S3_BUCKET: env.S3_BUCKET,
  S3_REGION: env.S3_REGION,
  S3_SECRET_ACCESS_KEY: env.S3_SECRET_ACCESS_KEY,
  DEV_MODE: Type.Boolean({ default: false }),
});

const valid = { DATABASE_URL: 'postgres://app:secret@localhost:5432/clickstream' };

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`exit(${code})`);
  }
}

describe('loadConfig', () => {
  it('applies the defaults of DESIGN.md and keeps only declared variables', () => {
    const config = loadConfig(schema, { ...valid, HOME: '/root' });
    expect(config).toEqual({
      LOG_LEVEL: 'info',
      INGEST_PORT: 8000,
      KAFKA_BROKERS: 'localhost:9092',
      KAFKA_TOPIC: 'clickstream.events',
      DATABASE_URL: valid.DATABASE_URL,
      S3_BUCKET: 'clickstream-raw',
      S3_REGION: 'us-east-1',
      DEV_MODE: false,
    });
    expect(config).not.toHaveProperty('HOME');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('coerces strings to integers and booleans', () => {
    const config = loadConfig(schema, { ...valid, INGEST_PORT: '9000', DEV_MODE: 'true', LOG_LEVEL: 'debug' });
    expect(config.INGEST_PORT).toBe(9000);
    expect(config.DEV_MODE).toBe(true);
    expect(config.LOG_LEVEL).toBe('debug');
  });

  it('reads only the given variables, not process.env', () => {
    process.env['KAFKA_TOPIC_FROM_PROCESS'] = 'x';
    const only = Type.Object({ KAFKA_TOPIC_FROM_PROCESS: Type.Optional(Type.String()) });
    expect(loadConfig(only, {})).toEqual({});
    delete process.env['KAFKA_TOPIC_FROM_PROCESS'];
  });

  it('names a missing required variable', () => {
    const err = configError(() => loadConfig(schema, {}));
    expect(err.variable).toBe('DATABASE_URL');
    expect(err.message).toBe('DATABASE_URL is required');
  });

  it('treats an empty variable as unset', () => {
    expect(configError(() => loadConfig(schema, { DATABASE_URL: '' })).message).toBe('DATABASE_URL is required');
    expect(loadConfig(schema, { ...valid, INGEST_PORT: '' }).INGEST_PORT).toBe(8000);
  });

  it('names a variable of the wrong type with the value it got', () => {
    const err = configError(() => loadConfig(schema, { ...valid, INGEST_PORT: 'abc' }));
    expect(err.variable).toBe('INGEST_PORT');
    expect(err.message).toBe('INGEST_PORT must be integer (got "abc")');
  });

  it('rejects a port out of range and a fractional port', () => {
    expect(configError(() => loadConfig(schema, { ...valid, INGEST_PORT: '70000' })).message).toBe(
      'INGEST_PORT must be <= 65535 (got "70000")',
    );
    expect(configError(() => loadConfig(schema, { ...valid, INGEST_PORT: '80.5' })).variable).toBe('INGEST_PORT');
  });

  it('lists the allowed values of an enum', () => {
    const err = configError(() => loadConfig(schema, { ...valid, LOG_LEVEL: 'loud' }));
    expect(err.variable).toBe('LOG_LEVEL');
    expect(err.message).toBe('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")');
  });

  it('words a union of literals like an enum', () => {
    const modes = Type.Object({ MODE: Type.Union([Type.Literal('a'), Type.Literal('b')]) });
    expect(configError(() => loadConfig(modes, { MODE: 'c' })).message).toBe('MODE must be one of a, b (got "c")');
  });

  it('says what a boolean must look like', () => {
    expect(configError(() => loadConfig(schema, { ...valid, DEV_MODE: 'yes' })).message).toBe(
      'DEV_MODE must be boolean (true or false) (got "yes")',
    );
  });

  it('names the first bad variable in schema order and counts the others', () => {
    const err = configError(() => loadConfig(schema, { INGEST_PORT: 'abc', LOG_LEVEL: 'loud', DEV_MODE: 'maybe' }));
    expect(err.variable).toBe('LOG_LEVEL');
    expect(err.message).toMatch(/^LOG_LEVEL must be one of .* \(got "loud"\) \(and 3 more\)$/);
    expect(err.problems.map((p) => p.variable)).toEqual(['LOG_LEVEL', 'INGEST_PORT', 'DATABASE_URL', 'DEV_MODE']);
  });

  it('masks the password of a rejected URL and hides the value of a secret', () => {
    const url = configError(() => loadConfig(schema, { DATABASE_URL: 'mysql://app:hunter2@db/x' }));
    expect(url.message).toBe('DATABASE_URL must match pattern "^postgres(ql)?://\\S+$" (got "mysql://app:***@db/x")');
    const withSecret = Type.Object({ WEB_ADMIN_PASSWORD: Type.String({ minLength: 12 }) });
    const secret = configError(() => loadConfig(withSecret, { WEB_ADMIN_PASSWORD: 'hunter2' }));
    expect(secret.message).toBe('WEB_ADMIN_PASSWORD must NOT have fewer than 12 characters');
  });

  it('accepts postgresql:// URLs and an http(s) S3 endpoint', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgresql://localhost/db', S3_ENDPOINT: 'http://localhost:9000' });
    expect(config.S3_ENDPOINT).toBe('http://localhost:9000');
    expect(configError(() => loadConfig(schema, { ...valid, S3_ENDPOINT: 'localhost:9000' })).variable).toBe(
      'S3_ENDPOINT',
    );
  });

  it('does not modify the schema it is given', () => {
    const before = JSON.stringify(schema);
    loadConfig(schema, valid);
    expect(JSON.stringify(schema)).toBe(before);
  });
});

describe('loadConfigOrExit', () => {
  it('writes one line naming the service and the variable, then exits 1', () => {
    const written: string[] = [];
    const exit = (code: number): never => {
      throw new ExitCalled(code);
    };
    let exitCode: number | undefined;
    try {
      loadConfigOrExit(schema, { service: 'ingest', env: { INGEST_PORT: 'abc', ...valid }, stderr: { write: (l) => written.push(l) }, exit });
    } catch (err) {
      if (!(err instanceof ExitCalled)) throw err;
      exitCode = err.code;
    }
    expect(exitCode).toBe(1);
    expect(written).toEqual(['ingest: configuration error: INGEST_PORT must be integer (got "abc")\n']);
  });

  it('returns the config when the environment is valid', () => {
    const exit = (code: number): never => {
      throw new ExitCalled(code);
    };
    expect(loadConfigOrExit(schema, { service: 'ingest', env: valid, exit }).INGEST_PORT).toBe(8000);
  });
});

describe('describeEnv', () => {
  it('lists every variable with required, default and description', () => {
    const rows = describeEnv(schema);
    expect(rows.map((r) => r.name)).toEqual(Object.keys(schema.properties));
    expect(rows.find((r) => r.name === 'DATABASE_URL')).toMatchObject({ required: true, default: undefined });
    expect(rows.find((r) => r.name === 'INGEST_PORT')).toMatchObject({ required: false, default: 8000 });
    expect(rows.find((r) => r.name === 'S3_ENDPOINT')).toMatchObject({ required: false, default: undefined });
    expect(rows.find((r) => r.name === 'LOG_LEVEL')?.description).toContain('debug');
  });
});
