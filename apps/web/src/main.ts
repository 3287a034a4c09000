#!/usr/bin/env node
// Entry point of apps/web: reads the configuration, builds the dependencies (warehouse pool,
// analysts, live Kafka feed, pipeline status), starts the server and registers the ordered shutdown.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createRawArchive } from '@clickstream/archive';
import { CONSUMER_GROUPS, createKafkaFromEnv } from '@clickstream/kafka';
import { createHealth, createLogger, createMetricsRegistry, createShutdown, loadConfigOrExit, parseCli, untilDone } from '@clickstream/runtime';
import { createWarehouse } from '@clickstream/warehouse';
import { buildServer } from './server/app';
import { createAnalystStore } from './server/auth/analyst-store';
import { createLiveFeed } from './server/live/live-feed';
import { createPipelineStatus } from './server/pipeline/pipeline-status';
import { WebConfigSchema } from './config';
import { usageSpec } from './usage';

const { version } = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string };

async function main(): Promise<void> {
  parseCli({ ...usageSpec, version });
  const config = loadConfigOrExit(WebConfigSchema, { service: 'web' });
  const logger = createLogger({ service: 'web', level: config.LOG_LEVEL });
  const registry = createMetricsRegistry({ service: 'web' });
  const health = createHealth({ service: 'web', version });
  const shutdown = createShutdown({ logger, timeoutMs: 15_000 });
  let stopping = false;
  shutdown.install();

  // jit off: the dashboard's statements run in milliseconds, and compiling one could take hundreds (see WarehouseOptions.jit)
  const warehouse = createWarehouse({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, max: 10, workMem: config.WEB_QUERY_WORK_MEM, jit: false, logger });
  const archive = createRawArchive(config, { logger });
  const kafka = createKafkaFromEnv(config, { service: 'web', logger });
  const instance = config.WEB_INSTANCE ?? `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-')}-${process.pid}`;
  const liveFeed = createLiveFeed({ kafka, topic: config.KAFKA_TOPIC, groupId: CONSUMER_GROUPS.web(instance), logger });
  const pipeline = createPipelineStatus({ kafka, sql: warehouse.sql, archive, topic: config.KAFKA_TOPIC, logger });
  const analysts = createAnalystStore(warehouse.sql);

  health.addCheck('postgres', async () => {
    await warehouse.sql`select 1`;
  });

  const app = await buildServer({
    logger,
    registry,
    health,
    sql: warehouse.sql,
    analysts,
    liveFeed,
    pipeline,
    version,
    clientDir: join(__dirname, 'client'),
    sessionTtlMs: config.WEB_SESSION_HOURS * 3_600_000,
    loginRateLimit: config.WEB_LOGIN_RATE_LIMIT,
    trustProxy: config.WEB_TRUST_PROXY,
  });

  shutdown.add('stop accepting requests', async () => {
    stopping = true;
    health.markShuttingDown();
    await app.close();
  });
  shutdown.add('leave the live consumer group', () => liveFeed.stop());
  shutdown.add('close the pipeline view, the PostgreSQL pool and the S3 client', async () => {
    await pipeline.close();
    archive.close();
    await warehouse.close();
  });

  // The schema and the first admin come before listening: a login must work once the port is open.
  if (config.MIGRATE) await untilDone(logger, 'migrating the warehouse', () => warehouse.migrate(), () => stopping);
  if (stopping) return;
  if (config.WEB_ADMIN_PASSWORD) {
    await analysts.upsertAnalyst(config.WEB_ADMIN_USER, config.WEB_ADMIN_PASSWORD, 'admin');
    logger.info({ username: config.WEB_ADMIN_USER }, 'admin account set from WEB_ADMIN_PASSWORD');
  } else if (!(await analysts.hasAnalysts())) {
    logger.warn('no analyst exists and WEB_ADMIN_PASSWORD is not set: nobody can log in until it is');
  }
  const purge = setInterval(() => void analysts.purgeExpiredSessions().catch((err: unknown) => logger.warn({ err }, 'could not purge expired sessions')), 3_600_000);
  purge.unref();
  shutdown.add('stop the session purge', () => clearInterval(purge));

  await liveFeed.start();
  await app.listen({ port: config.WEB_PORT, host: config.WEB_HOST });
  logger.info({ port: config.WEB_PORT, group: CONSUMER_GROUPS.web(instance) }, 'web listening');
}

main().catch((err: unknown) => {
  process.stderr.write(`web: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
