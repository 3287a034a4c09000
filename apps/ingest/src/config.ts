// The ingest app's environment, validated once at start (shared/DESIGN.md "Configuration").

import { env } from '@clickstream/runtime';
import { kafkaEnv } from '@clickstream/kafka';
import { Type, type Static } from '@sinclair/typebox';

export const IngestConfigSchema = Type.Object({
  LOG_LEVEL: env.LOG_LEVEL,
  INGEST_PORT: env.port(8000, 'HTTP port of the collector'),
  INGEST_HOST: Type.String({ minLength: 1, default: '0.0.0.0', description: 'address to listen on' }),
  ...kafkaEnv,
  WRITE_KEYS: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_.-]+:[^,:\\s]+(,[A-Za-z0-9_.-]+:[^,:\\s]+)*$',
      description: 'site_a:key1,site_b:key2 — unset: dev mode, every event goes to site "default"',
    }),
  ),
  INGEST_CORS_ORIGINS: Type.String({
    minLength: 1,
    default: '*',
    description: 'browser origins allowed to send events: * or a comma-separated list of https://host[:port]',
  }),
  INGEST_RATE_LIMIT_PER_IP: Type.Integer({ minimum: 0, default: 6000, description: 'requests per minute per client address (0 = off)' }),
  INGEST_RATE_LIMIT_PER_KEY: Type.Integer({ minimum: 0, default: 120000, description: 'requests per minute per write key (0 = off)' }),
  INGEST_TRUST_PROXY: Type.Boolean({ default: false, description: 'take the client address from X-Forwarded-For (behind a load balancer)' }),
  INGEST_GEOIP: Type.Boolean({ default: true, description: 'look up country/city in the bundled DB-IP Lite database' }),
  INGEST_WORKERS: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: 1,
    description: 'processes sharing the port (node:cluster); more than 1 uses more cores of one box',
  }),
  INGEST_REQUEST_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 15_000,
    description: 'longest time a client may take to send a whole request, headers and body, before 408 (slow clients hold connections)',
  }),
  KAFKA_SEND_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5000, description: 'longest wait for a Kafka acknowledgement before 503' }),
});

export type IngestConfig = Static<typeof IngestConfigSchema>;
