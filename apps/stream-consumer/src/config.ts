// The stream-consumer app's environment, validated once at start (shared/DESIGN.md "Configuration").

import { env, s3Env } from '@clickstream/runtime';
import { kafkaEnv } from '@clickstream/kafka';
import { Type, type Static } from '@sinclair/typebox';

export const StreamConsumerConfigSchema = Type.Object({
  LOG_LEVEL: env.LOG_LEVEL,
  CONSUMER_PORT: env.port(9101, 'port of /health, /ready and /metrics'),
  CONSUMER_HOST: Type.String({ minLength: 1, default: '0.0.0.0', description: 'address /health and /metrics listen on' }),
  ...kafkaEnv,
  DATABASE_URL: Type.Optional(env.DATABASE_URL),
  DATABASE_SCHEMA: env.DATABASE_SCHEMA,
  MIGRATE: env.MIGRATE,
  ...s3Env,
  STREAM_PIPELINES: Type.String({
    pattern: '^(archiver|live)(,(archiver|live))?$',
    default: 'archiver,live',
    description: 'pipelines to run: archiver, live, or both (live needs DATABASE_URL)',
  }),
  CONSUMER_SESSION_TIMEOUT_MS: Type.Integer({
    minimum: 3000,
    maximum: 300_000,
    default: 30_000,
    description: 'Kafka group session timeout: how soon a dead consumer\'s partitions move to another',
  }),
  ARCHIVE_FLUSH_RECORDS: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000, description: 'lines per archive object at most' }),
  ARCHIVE_FLUSH_SECONDS: Type.Number({ minimum: 0.05, maximum: 3600, default: 10, description: 'longest a record waits in memory before its object is written' }),
});

export type StreamConsumerConfig = Static<typeof StreamConsumerConfigSchema>;

export function pipelinesOf(config: Pick<StreamConsumerConfig, 'STREAM_PIPELINES'>): { archiver: boolean; live: boolean } {
  const names = config.STREAM_PIPELINES.split(',');
  return { archiver: names.includes('archiver'), live: names.includes('live') };
}
