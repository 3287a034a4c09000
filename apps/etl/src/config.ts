// The etl app's environment, validated once at start (shared/DESIGN.md "Configuration").

import { env, s3Env } from '@clickstream/runtime';
import { Type, type Static } from '@sinclair/typebox';

export const EtlConfigSchema = Type.Object({
  LOG_LEVEL: env.LOG_LEVEL,
  ETL_PORT: env.port(9102, 'port of /health and /metrics'),
  DATABASE_URL: env.DATABASE_URL,
  ...s3Env,
  ETL_INTERVAL_SECONDS: Type.Integer({ minimum: 1, default: 60, description: 'seconds between scheduled runs' }),
  RETENTION_DAYS: Type.Optional(Type.Integer({ minimum: 1, description: 'days of raw objects and facts to keep' })),
});

export type EtlConfig = Static<typeof EtlConfigSchema>;
