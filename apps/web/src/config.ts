// The web app's environment, validated once at start (shared/DESIGN.md "Configuration").

import { env } from '@clickstream/runtime';
import { Type, type Static } from '@sinclair/typebox';

export const WebConfigSchema = Type.Object({
  LOG_LEVEL: env.LOG_LEVEL,
  WEB_PORT: env.port(3000, 'HTTP port of the API and the dashboard'),
  DATABASE_URL: env.DATABASE_URL,
  KAFKA_BROKERS: env.KAFKA_BROKERS,
  KAFKA_TOPIC: env.KAFKA_TOPIC,
  WEB_ADMIN_USER: Type.String({ minLength: 1, default: 'admin', description: 'user name of the first admin' }),
  WEB_ADMIN_PASSWORD: Type.Optional(
    Type.String({ minLength: 8, writeOnly: true, description: 'creates the first admin at start when set' }),
  ),
});

export type WebConfig = Static<typeof WebConfigSchema>;
