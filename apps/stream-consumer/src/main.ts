#!/usr/bin/env node
// Entry point of apps/stream-consumer: reads the configuration, builds the dependencies, starts
// the selected pipelines (archiver, live) and registers the ordered shutdown.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRawArchive } from '@clickstream/archive';
import { CONSUMER_GROUPS, createDeadLetterPublisher, type ConsumerRunner, createEventProducer, createKafkaFromEnv, dlqTopicFor, ensureTopics, kafkaClientId } from '@clickstream/kafka';
import { createHealth, createLogger, createMetricsRegistry, createShutdown, loadConfigOrExit, parseCli, startOpsServer, untilDone, type OpsServer } from '@clickstream/runtime';
import { createWarehouse, migrate, type Warehouse } from '@clickstream/warehouse';
import { createArchiver, type Archiver } from './archiver/archiver';
import { pipelinesOf, StreamConsumerConfigSchema } from './config';
import { startLagMonitor, type LagMonitor } from './lag-monitor';
import { createLivePipeline } from './live/live-pipeline';
import { createConsumerMetrics } from './metrics';
import { usageSpec } from './usage';

const { version } = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string };

async function main(): Promise<void> {
  parseCli({ ...usageSpec, version });
  const config = loadConfigOrExit(StreamConsumerConfigSchema, { service: 'stream-consumer' });
  const pipelines = pipelinesOf(config);
  if (pipelines.live && !config.DATABASE_URL) {
    process.stderr.write('stream-consumer: DATABASE_URL is required for the live pipeline (or set STREAM_PIPELINES=archiver)\n');
    process.exit(1);
  }
  const logger = createLogger({ service: 'stream-consumer', level: config.LOG_LEVEL });
  const registry = createMetricsRegistry({ service: 'stream-consumer' });
  const metrics = createConsumerMetrics(registry);
  const health = createHealth({ service: 'stream-consumer', version });
  const kafka = createKafkaFromEnv(config, { service: 'stream-consumer', logger });
  const producer = createEventProducer(kafka, { clientId: kafkaClientId(config, 'stream-consumer') });
  const deadLetters = createDeadLetterPublisher(producer, dlqTopicFor(config.KAFKA_TOPIC));

  let stopping = false;
  // What has been started so far: a signal may come in the middle of start-up.
  const started: { archiver?: Archiver; live?: ConsumerRunner; lag?: LagMonitor; warehouse?: Warehouse; ops?: OpsServer } = {};
  const shutdown = createShutdown({ logger, timeoutMs: 30_000 });
  shutdown.add('stop taking work', () => {
    stopping = true;
    health.markShuttingDown();
  });
  shutdown.add('archive buffered events, commit them and leave the archiver group', () => started.archiver?.stop());
  shutdown.add('leave the live group', () => started.live?.stop());
  shutdown.add('stop the lag monitor', () => started.lag?.stop());
  shutdown.add('disconnect the dead-letter producer', () => producer.disconnect());
  shutdown.add('close the PostgreSQL pool', () => started.warehouse?.close());
  shutdown.add('stop the ops server', () => started.ops?.close());
  shutdown.install();
  const isStopping = () => stopping;

  const ops = await startOpsServer({ port: config.CONSUMER_PORT, host: config.CONSUMER_HOST, health, registry, logger });
  started.ops = ops;
  logger.info({ port: ops.port, pipelines: config.STREAM_PIPELINES }, 'stream-consumer ops server listening');

  await untilDone(logger, 'creating the Kafka topics', () => ensureTopics(kafka, { topic: config.KAFKA_TOPIC }), isStopping);
  await untilDone(logger, 'connecting the dead-letter producer', () => producer.connect(), isStopping);

  const groups: string[] = [];
  if (pipelines.archiver && !stopping) {
    const archive = createRawArchive(config, { logger });
    health.addCheck('s3', () => archive.ensureBucket());
    await untilDone(logger, `creating bucket ${config.S3_BUCKET}`, () => archive.ensureBucket(), isStopping);
    const archiver = createArchiver({
      kafka,
      topic: config.KAFKA_TOPIC,
      archive,
      deadLetters,
      logger,
      metrics,
      flushRecords: config.ARCHIVE_FLUSH_RECORDS,
      flushIntervalMs: config.ARCHIVE_FLUSH_SECONDS * 1000,
      sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS,
    });
    started.archiver = archiver;
    if (!stopping) await archiver.start();
    groups.push(CONSUMER_GROUPS.archiver);
  }

  if (pipelines.live && config.DATABASE_URL && !stopping) {
    const wh = createWarehouse({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, logger });
    started.warehouse = wh;
    health.addCheck('postgres', async () => {
      await wh.sql`select 1`;
    });
    if (config.MIGRATE) await untilDone(logger, 'migrating the warehouse', () => migrate(wh.sql, { schema: config.DATABASE_SCHEMA }), isStopping);
    const live = createLivePipeline({ kafka, topic: config.KAFKA_TOPIC, warehouse: wh, deadLetters, logger, metrics, sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS });
    started.live = live;
    if (!stopping) await live.start();
    groups.push(CONSUMER_GROUPS.live);
  }

  const lag = startLagMonitor({ kafka, topic: config.KAFKA_TOPIC, groups, metrics, logger });
  started.lag = lag;
  // Ready while the lag can be read from Kafka; the detail is each group's total lag.
  health.addCheck('kafka', () => {
    const error = lag.lastError();
    if (error) throw new Error(`Kafka: ${error.message}`);
    return { detail: Object.fromEntries([...lag.latest()].map(([g, ps]) => [g, ps.reduce((n, p) => n + p.lag, 0)])) };
  });
  logger.info({ pipelines: groups, topic: config.KAFKA_TOPIC, schema: started.warehouse?.schema }, 'stream-consumer running');
}

main().catch((err: unknown) => {
  process.stderr.write(`stream-consumer: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
