// The kafkajs client every app uses: brokers from config, kafkajs' own logs routed into pino.

import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from '@clickstream/runtime';
import { parseBrokerList } from './topics';

export interface KafkaClientOptions {
  /** `host:port,host:port` (KAFKA_BROKERS). */
  brokers: string;
  clientId: string;
  logger: Logger;
  /** How long one connection attempt may take (ms). */
  connectionTimeout?: number;
  /** How long one request may take (ms). */
  requestTimeout?: number;
}

function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const fields = { kafka: namespace, ...extra };
      if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.info(fields, message);
      else logger.debug(fields, message);
    };
}

export function createKafka(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: parseBrokerList(options.brokers),
    connectionTimeout: options.connectionTimeout ?? 3000,
    requestTimeout: options.requestTimeout ?? 10_000,
    logLevel: logLevel.INFO,
    logCreator: pinoLogCreator(options.logger.child({ component: 'kafkajs' })),
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 5 },
  });
}
