// Builds the collector exactly as main.ts does, on a real Kafka-protocol broker, for inject() tests.

import { createDeadLetterPublisher, createEventProducer, createKafka, dlqTopicFor, ensureTopics, type EventProducer } from '@clickstream/kafka';
import { createHealth, createMetricsRegistry } from '@clickstream/runtime';
import { capturedLogger } from '@clickstream/runtime/testing';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { createEnricher } from '../src/enrich';
import { createEventPublisher } from '../src/event-publisher';
import type { GeoLookup } from '../src/geo';
import { createKafkaHealth } from '../src/kafka-health';
import { createIngestMetrics } from '../src/metrics';
import { buildServer, type IngestDeps } from '../src/server';
import { parseWriteKeys } from '../src/write-keys';

export const TRACKER_SOURCE = readFileSync(join(__dirname, '../src/tracker.js'), 'utf8');

export interface Harness {
  app: Awaited<ReturnType<typeof buildServer>>;
  topic: string;
  producer: EventProducer;
  logs: string[];
  close(): Promise<void>;
}

export async function startIngest(
  brokers: string,
  options: Partial<Omit<IngestDeps, 'writeKeys'>> & { writeKeys?: string; geo?: GeoLookup; sendTimeoutMs?: number } = {},
): Promise<Harness> {
  const { writeKeys, geo, sendTimeoutMs, ...overrides } = options;
  const topic = `ingest-${randomUUID().slice(0, 8)}`;
  const logs: string[] = [];
  const logger = capturedLogger('ingest', logs);
  const kafka = createKafka({ brokers, clientId: 'ingest-test', logger, connectionTimeout: 500, requestTimeout: 2000 });
  await ensureTopics(kafka, { topic, partitions: 3 });
  const producer = createEventProducer(kafka, { sendTimeoutMs: sendTimeoutMs ?? 3000 });
  await producer.connect();
  const registry = createMetricsRegistry({ service: 'ingest', defaultMetrics: false });
  const metrics = createIngestMetrics(registry);
  const kafkaHealth = createKafkaHealth(() => producer.connect(), 200);
  const app = await buildServer({
    logger,
    registry,
    metrics,
    health: createHealth({ service: 'ingest', version: 'test' }),
    publisher: createEventPublisher({ producer, topic, metrics }),
    deadLetters: createDeadLetterPublisher(producer, dlqTopicFor(topic)),
    enricher: createEnricher(geo),
    writeKeys: parseWriteKeys(writeKeys),
    kafkaReady: kafkaHealth.ready,
    onKafkaOutcome: kafkaHealth.record,
    topic,
    trackerScript: TRACKER_SOURCE,
    corsOrigins: '*',
    rateLimitPerIp: 0,
    rateLimitPerKey: 0,
    trustProxy: true,
    version: 'test',
    ...overrides,
  });
  return {
    app,
    topic,
    producer,
    logs,
    close: async () => {
      kafkaHealth.stop();
      await app.close();
      await producer.disconnect().catch(() => undefined);
    },
  };
}

/** Reads a topic from the beginning until `count` messages arrived (or the timeout). */
export async function readTopic(brokers: string, topic: string, count: number, timeoutMs = 20_000): Promise<KafkaMessage[]> {
  const kafka = new Kafka({ clientId: 'ingest-test-reader', brokers: [brokers], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const messages: KafkaMessage[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push(message);
    },
  });
  const deadline = Date.now() + timeoutMs;
  while (messages.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await consumer.disconnect();
  return messages;
}
