// The ingest app's environment, validated once at start (shared/DESIGN.md "Configuration").

import { env } from '@clickstream/runtime';
import { Type, type Static } from '@sinclair/typebox';

export const IngestConfigSchema = Type.Object({
  LOG_LEVEL: env.LOG_LEVEL,
  INGEST_PORT: env.port(8000, 'HTTP port of the collector'),
  KAFKA_BROKERS: env.KAFKA_BROKERS,
  KAFKA_TOPIC: env.KAFKA_TOPIC,
  WRITE_KEYS: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_.-]+:[^,:\\s]+(,[A-Za-z0-9_.-]+:[^,:\\s]+)*$',
      description: 'site_a:key1,site_b:key2 — unset: dev mode, every event goes to site "default"',
    }),
  ),
});

export type IngestConfig = Static<typeof IngestConfigSchema>;
