#!/usr/bin/env node
// Entry point of apps/ingest: reads the configuration, builds the dependencies, starts the
// collector and registers the ordered shutdown.

import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDeadLetterPublisher, createEventProducer, createKafkaFromEnv, dlqTopicFor, ensureTopics, kafkaClientId } from '@clickstream/kafka';
import { createHealth, createLogger, createMetricsRegistry, createShutdown, loadConfigOrExit, parseCli } from '@clickstream/runtime';
import { metricsSource, runPrimary } from './cluster';
import { IngestConfigSchema } from './config';
import { createEnricher } from './enrich';
import { createEventPublisher } from './event-publisher';
import { openGeoLookup } from './geo';
import { createKafkaHealth } from './kafka-health';
import { createIngestMetrics } from './metrics';
import { buildServer } from './server';
import { usageSpec } from './usage';
import { parseWriteKeys } from './write-keys';

const { version } = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string };

async function main(): Promise<void> {
  parseCli({ ...usageSpec, version });
  const config = loadConfigOrExit(IngestConfigSchema, { service: 'ingest' });
  const logger = createLogger({ service: 'ingest', level: config.LOG_LEVEL });
  // A worker stops when its primary says so (SIGTERM); Ctrl-C reaches the primary, which stops
  // the workers in order, so a worker must not also act on the terminal's SIGINT itself.
  const shutdown = createShutdown({ logger, signals: cluster.isWorker ? ['SIGTERM'] : ['SIGTERM', 'SIGINT'] });
  if (cluster.isWorker) process.on('SIGINT', () => undefined);
  shutdown.install();
  if (config.INGEST_WORKERS > 1 && cluster.isPrimary) {
    runPrimary(config.INGEST_WORKERS, logger, shutdown);
    return;
  }

  const writeKeys = parseWriteKeys(config.WRITE_KEYS);
  if (writeKeys.open) logger.warn('WRITE_KEYS is not set: dev mode, every event is accepted for site "default"');

  const registry = createMetricsRegistry({ service: 'ingest' });
  const metrics = createIngestMetrics(registry);
  const health = createHealth({ service: 'ingest', version });
  const kafka = createKafkaFromEnv(config, { service: 'ingest', logger });
  const producer = createEventProducer(kafka, { sendTimeoutMs: config.KAFKA_SEND_TIMEOUT_MS, clientId: kafkaClientId(config, 'ingest') });
  const kafkaHealth = createKafkaHealth(async () => {
    await producer.connect();
    await ensureTopics(kafka, { topic: config.KAFKA_TOPIC });
  });

  // Start even if Kafka is down: /ready says so and requests get 503 until it is back.
  try {
    await ensureTopics(kafka, { topic: config.KAFKA_TOPIC });
    await producer.connect();
  } catch (err) {
    kafkaHealth.record(false);
    logger.error({ err }, 'Kafka is not reachable yet; answering 503 until it is');
  }

  const geo = config.INGEST_GEOIP ? await openGeoLookup() : undefined;
  const app = await buildServer({
    logger,
    registry,
    metrics,
    health,
    publisher: createEventPublisher({ producer, topic: config.KAFKA_TOPIC, metrics }),
    deadLetters: createDeadLetterPublisher(producer, dlqTopicFor(config.KAFKA_TOPIC)),
    enricher: createEnricher(geo),
    writeKeys,
    kafkaReady: kafkaHealth.ready,
    onKafkaOutcome: kafkaHealth.record,
    topic: config.KAFKA_TOPIC,
    trackerScript: readFileSync(join(__dirname, 'tracker.js'), 'utf8'),
    corsOrigins: config.INGEST_CORS_ORIGINS,
    rateLimitPerIp: config.INGEST_RATE_LIMIT_PER_IP,
    rateLimitPerKey: config.INGEST_RATE_LIMIT_PER_KEY,
    trustProxy: config.INGEST_TRUST_PROXY,
    requestTimeoutMs: config.INGEST_REQUEST_TIMEOUT_MS,
    version,
    metricsText: metricsSource(registry),
  });

  shutdown.add('stop accepting requests', async () => {
    health.markShuttingDown();
    await app.close();
  });
  shutdown.add('disconnect from Kafka', async () => {
    kafkaHealth.stop();
    await producer.disconnect();
  });

  await app.listen({ port: config.INGEST_PORT, host: config.INGEST_HOST });
  logger.info({ port: config.INGEST_PORT, topic: config.KAFKA_TOPIC }, 'ingest listening');
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
