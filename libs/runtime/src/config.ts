// Validated environment configuration: every app parses its variables once, at start, against a
// TypeBox schema, and a bad or missing variable stops it with one line that names the variable.
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { envSchema } from 'env-schema';

/** Log levels accepted by LOG_LEVEL (pino's levels, plus `silent`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One problem found in the environment. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Thrown by loadConfig; `message` is one line naming `variable`, the first offending variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly variable: string,
    message: string,
    /** Every problem found, in schema order; the message names only the first. */
    readonly problems: readonly ConfigProblem[] = [{ variable, message }],
  ) {
    super(message);
  }
}

/**
 * Shared variables of shared/DESIGN.md ("Configuration"), for apps to compose:
 * `Type.Object({ LOG_LEVEL: env.LOG_LEVEL, INGEST_PORT: env.port(8000) })`.
 */
export const env = {
  // An enum rather than a union of literals: ajv then reports one `enum` error we can word well.
  LOG_LEVEL: Type.Unsafe<LogLevel>({
    type: 'string',
    enum: [...LOG_LEVELS],
    default: 'info',
    description: 'log level: fatal, error, warn, info, debug, trace or silent',
  }),
  KAFKA_BROKERS: Type.String({
    minLength: 1,
    default: 'localhost:9092',
    description: 'Kafka bootstrap brokers, comma-separated host:port',
  }),
  KAFKA_TOPIC: Type.String({
    minLength: 1,
    default: 'clickstream.events',
    description: 'Kafka topic of canonical events',
  }),
  // A pattern, not `format: uri`: the default ajv of env-schema has no formats, and this also
  // rejects a non-PostgreSQL URL.
  DATABASE_URL: Type.String({
    pattern: '^postgres(ql)?://\\S+$',
    description: 'PostgreSQL connection URL, postgres://user:password@host:port/database',
  }),
  DATABASE_SCHEMA: Type.String({
    pattern: '^[a-z_][a-z0-9_]{0,62}$',
    default: 'clickstream',
    description: 'PostgreSQL schema of the warehouse tables',
  }),
  MIGRATE: Type.Boolean({ default: true, description: 'apply pending warehouse migrations at start (under an advisory lock)' }),
  // Endpoint and keys are optional: without them the AWS SDK uses AWS and its credential chain.
  S3_ENDPOINT: Type.Optional(
    Type.String({
      pattern: '^https?://\\S+$',
      description: 'S3-compatible endpoint URL (MinIO, s3rver); unset = AWS S3',
    }),
  ),
  S3_BUCKET: Type.String({ minLength: 1, default: 'clickstream-raw', description: 'bucket of the raw archive' }),
  S3_REGION: Type.String({ minLength: 1, default: 'us-east-1', description: 'S3 region' }),
  S3_ACCESS_KEY_ID: Type.Optional(Type.String({ description: 'S3 access key id; unset = default AWS credentials' })),
  S3_SECRET_ACCESS_KEY: Type.Optional(
    Type.String({ writeOnly: true, description: 'S3 secret access key; unset = default AWS credentials' }),
  ),
  /** A TCP port (integer 0..65535) with a default. */
  port: (defaultPort: number, description = 'TCP port to listen on') =>
    Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort, description }),
};

/** The raw archive's S3 settings, spread into the config of every app that reads or writes it. */
export const s3Env = {
  S3_ENDPOINT: env.S3_ENDPOINT,
  S3_BUCKET: env.S3_BUCKET,
  S3_REGION: env.S3_REGION,
  S3_ACCESS_KEY_ID: env.S3_ACCESS_KEY_ID,
  S3_SECRET_ACCESS_KEY: env.S3_SECRET_ACCESS_KEY,
};

// env-schema sets `additionalProperties: false` on the schema it is given, so it gets a copy; the
// copy is kept per schema so that ajv compiles each schema once.
const envSchemaCopies = new WeakMap<TObject, TObject>();

/**
 * Validates `envVars` against `schema`: defaults are applied, strings are coerced to numbers and
 * booleans, unknown variables are left out. Throws ConfigError naming the first bad variable.
 */
export function loadConfig<T extends TObject>(
  schema: T,
  envVars: Record<string, string | undefined> = process.env,
): Static<T> {
  let copy = envSchemaCopies.get(schema);
  if (!copy) {
    copy = structuredClone(schema);
    envSchemaCopies.set(schema, copy);
  }
  // `FOO=` (set but empty, common in compose files and shells) means "not set", so that defaults
  // apply and a required variable is reported as missing rather than as an empty string.
  const data: Record<string, string> = {};
  for (const [name, value] of Object.entries(envVars)) {
    if (value !== undefined && value !== '') data[name] = value;
  }
  try {
    // env: false — only `envVars` counts, so tests and callers are not affected by process.env.
    const config = envSchema<Static<T>>({ schema: copy, data, env: false });
    return Object.freeze(config) as Static<T>;
  } catch (err) {
    const errors = (err as { errors?: AjvErrorLike[] }).errors;
    if (!Array.isArray(errors)) throw err;
    throw toConfigError(schema, errors, data);
  }
}

export interface LoadConfigOrExitOptions {
  /** Service name, the prefix of the error line. */
  service: string;
  env?: Record<string, string | undefined>;
  stderr?: { write(line: string): unknown };
  exit?: (code: number) => never;
}

/** loadConfig for `main.ts`: on a bad environment prints `<service>: configuration error: …` and exits 1. */
export function loadConfigOrExit<T extends TObject>(schema: T, options: LoadConfigOrExitOptions): Static<T> {
  const { service, env: envVars = process.env, stderr = process.stderr, exit = process.exit } = options;
  try {
    return loadConfig(schema, envVars);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    stderr.write(`${service}: configuration error: ${err.message}\n`);
    return exit(1);
  }
}

/** One row of an app's `--help` environment table. */
export interface EnvVariableDescription {
  name: string;
  /** True when the variable must be set: it is required and has no default. */
  required: boolean;
  default: unknown;
  description: string;
}

/** The variables of `schema`, in declaration order, for `--help` output. */
export function describeEnv(schema: TObject): EnvVariableDescription[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    required: required.has(name) && property.default === undefined,
    default: property.default,
    description: typeof property.description === 'string' ? property.description : '',
  }));
}

/** The parts of an ajv ErrorObject that are used here (ajv is env-schema's dependency, not ours). */
interface AjvErrorLike {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

function toConfigError(schema: TObject, errors: AjvErrorLike[], data: Record<string, string>): ConfigError {
  const byVariable = new Map<string, AjvErrorLike[]>();
  for (const error of errors) {
    const variable =
      error.keyword === 'required'
        ? String(error.params['missingProperty'])
        : decodePointer(error.instancePath.split('/')[1] ?? '') || '(environment)';
    byVariable.set(variable, [...(byVariable.get(variable) ?? []), error]);
  }
  // Name variables in the order the schema declares them, so the first one reported is stable.
  const order = Object.keys(schema.properties);
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  const variables = [...byVariable.keys()].sort((a, b) => rank(a) - rank(b));
  const problems = variables.map((variable) => ({
    variable,
    message: describeProblem(variable, byVariable.get(variable) ?? [], schema.properties[variable], data[variable]),
  }));
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return new ConfigError(first.variable, first.message + more, problems);
}

function describeProblem(
  variable: string,
  errors: AjvErrorLike[],
  property: TSchema | undefined,
  value: string | undefined,
): string {
  if (errors.some((e) => e.keyword === 'required')) return `${variable} is required`;
  const allowed = allowedValues(property);
  const error = errors.find((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf') ?? errors[0];
  let rule: string;
  if (allowed && ['enum', 'const', 'anyOf', 'oneOf'].includes(error.keyword)) {
    rule = `must be one of ${allowed.join(', ')}`;
  } else if (error.keyword === 'type' && error.params['type'] === 'boolean') {
    rule = 'must be boolean (true or false)';
  } else {
    rule = error.message ?? `is invalid (${error.keyword})`;
  }
  return `${variable} ${rule}${showValue(variable, property, value)}`;
}

function allowedValues(property: TSchema | undefined): unknown[] | undefined {
  if (!property) return undefined;
  if (Array.isArray(property.enum)) return property.enum;
  const union = (property.anyOf ?? property.oneOf) as TSchema[] | undefined;
  if (Array.isArray(union) && union.every((s) => 'const' in s)) return union.map((s) => s.const);
  return undefined;
}

// The rejected value helps the operator, but secrets must not end up in logs: values of secret-looking
// variables are left out and passwords inside URLs are masked.
function showValue(variable: string, property: TSchema | undefined, value: string | undefined): string {
  if (value === undefined) return '';
  if (property?.writeOnly === true || /PASSWORD|SECRET|TOKEN|KEY/i.test(variable)) return '';
  const masked = value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/i, '$1:***@');
  const shown = masked.length > 80 ? `${masked.slice(0, 77)}...` : masked;
  return ` (got ${JSON.stringify(shown)})`;
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
