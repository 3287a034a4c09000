// The etl app's environment, validated once at start (shared/DESIGN.md "Configuration").

import { env, s3Env } from '@clickstream/runtime';
import { Type, type Static } from '@sinclair/typebox';

export const EtlConfigSchema = Type.Object({
  LOG_LEVEL: env.LOG_LEVEL,
  ETL_PORT: env.port(9102, 'port of /health, /ready and /metrics (serve)'),
  ETL_HOST: Type.String({ minLength: 1, default: '0.0.0.0', description: 'address /health and /metrics listen on' }),
  DATABASE_URL: env.DATABASE_URL,
  DATABASE_SCHEMA: env.DATABASE_SCHEMA,
  MIGRATE: env.MIGRATE,
  ...s3Env,
  ETL_INTERVAL_SECONDS: Type.Integer({ minimum: 1, default: 60, description: 'seconds between scheduled runs (serve)' }),
  ETL_CONCURRENCY: Type.Integer({
    minimum: 1,
    maximum: 32,
    default: 4,
    description: 'raw objects one process loads at once, each in its own transaction and PostgreSQL connection',
  }),
  RETENTION_DAYS: Type.Optional(
    Type.Integer({ minimum: 1, description: 'days of raw objects and facts to keep: serve applies it daily, and it is the default of retention --days' }),
  ),
});

export type EtlConfig = Static<typeof EtlConfigSchema>;
