// The stream-consumer app's environment, validated once at start (shared/DESIGN.md "Configuration").

import { env, s3Env } from '@clickstream/runtime';
import { Type, type Static } from '@sinclair/typebox';

export const StreamConsumerConfigSchema = Type.Object({
  LOG_LEVEL: env.LOG_LEVEL,
  CONSUMER_PORT: env.port(9101, 'port of /health and /metrics'),
  KAFKA_BROKERS: env.KAFKA_BROKERS,
  KAFKA_TOPIC: env.KAFKA_TOPIC,
  DATABASE_URL: env.DATABASE_URL,
  ...s3Env,
  STREAM_PIPELINES: Type.String({
    pattern: '^(archiver|live)(,(archiver|live))?$',
    default: 'archiver,live',
    description: 'pipelines to run: archiver, live, or both',
  }),
});

export type StreamConsumerConfig = Static<typeof StreamConsumerConfigSchema>;
