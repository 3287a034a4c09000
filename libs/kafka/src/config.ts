// The Kafka part of an app's environment, and the client built from it.

import { env, type Logger } from '@clickstream/runtime';
import { Type, type Static } from '@sinclair/typebox';
import type { Kafka } from 'kafkajs';
import { createKafka } from './client';

/** Spread into an app's config schema: `Type.Object({ ...kafkaEnv, ... })`. */
export const kafkaEnv = {
  KAFKA_BROKERS: env.KAFKA_BROKERS,
  KAFKA_TOPIC: env.KAFKA_TOPIC,
  KAFKA_CLIENT_ID: Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, description: 'Kafka client id (default clickstream-<service>)' }),
  ),
};

export const KafkaEnvSchema = Type.Object(kafkaEnv);
export type KafkaEnv = Static<typeof KafkaEnvSchema>;

/** KAFKA_CLIENT_ID, else `clickstream-<service>`: for the kafkajs client and the event producer alike. */
export function kafkaClientId(config: Pick<KafkaEnv, 'KAFKA_CLIENT_ID'>, service: string): string {
  return config.KAFKA_CLIENT_ID ?? `clickstream-${service}`;
}

export function createKafkaFromEnv(config: KafkaEnv, options: { service: string; logger: Logger }): Kafka {
  return createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: kafkaClientId(config, options.service),
    logger: options.logger,
  });
}
