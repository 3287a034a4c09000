// The web app's environment, validated once at start (shared/DESIGN.md "Configuration").

import { env, s3Env } from '@clickstream/runtime';
import { Type, type Static } from '@sinclair/typebox';

export const WebConfigSchema = Type.Object({
  LOG_LEVEL: env.LOG_LEVEL,
  WEB_PORT: env.port(3000, 'HTTP port of the API and the dashboard'),
  WEB_HOST: Type.String({ minLength: 1, default: '0.0.0.0', description: 'address to listen on' }),
  DATABASE_URL: env.DATABASE_URL,
  DATABASE_SCHEMA: env.DATABASE_SCHEMA,
  MIGRATE: env.MIGRATE,
  WEB_QUERY_WORK_MEM: Type.String({
    pattern: '^\\d{1,7}(kB|MB|GB)$',
    default: '64MB',
    description: "PostgreSQL work_mem of the API's connections: report queries hash-aggregate many rows",
  }),
  KAFKA_BROKERS: env.KAFKA_BROKERS,
  KAFKA_TOPIC: env.KAFKA_TOPIC,
  ...s3Env,
  WEB_ADMIN_USER: Type.String({ minLength: 1, default: 'admin', description: 'user name of the first admin' }),
  WEB_ADMIN_PASSWORD: Type.Optional(
    Type.String({ minLength: 8, writeOnly: true, description: 'creates (or resets) the first admin at start when set; at least 8 characters' }),
  ),
  WEB_SESSION_HOURS: Type.Integer({ minimum: 1, maximum: 24 * 90, default: 168, description: 'how long a login lasts, in hours' }),
  WEB_LOGIN_RATE_LIMIT: Type.Integer({ minimum: 1, default: 10, description: 'login attempts allowed per client address per minute' }),
  WEB_INSTANCE: Type.Optional(
    Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'name of this instance in its live consumer group clickstream-web-<instance>; default host name and pid' }),
  ),
  WEB_TRUST_PROXY: Type.Boolean({ default: false, description: 'trust X-Forwarded-* headers (behind a load balancer)' }),
});

export type WebConfig = Static<typeof WebConfigSchema>;
