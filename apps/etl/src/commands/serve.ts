// `etl serve`: the scheduler, with /health, /ready and /metrics on ETL_PORT, migrations at start and
// an ordered shutdown that lets the current object commit (or roll back) before the pools close.

import { createHealth, createLogger, createMetricsRegistry, createShutdown, startOpsServer, untilDone, type OpsServer } from '@clickstream/runtime';
import type { EtlConfig } from '../config';
import { connect } from '../connect';
import { runEtl } from '../loader/run-etl';
import { createEtlMetrics } from '../metrics';
import { runRetention } from '../retention';
import { createScheduler, type Scheduler } from '../scheduler';

export async function serve(config: EtlConfig, version: string): Promise<void> {
  const logger = createLogger({ service: 'etl', level: config.LOG_LEVEL });
  const registry = createMetricsRegistry({ service: 'etl' });
  const metrics = createEtlMetrics(registry);
  const health = createHealth({ service: 'etl', version });
  const connections = connect(config, logger);
  const { warehouse, archive } = connections;

  let stopping = false;
  const started: { scheduler?: Scheduler; ops?: OpsServer } = {};
  const shutdown = createShutdown({ logger, timeoutMs: 30_000 });
  shutdown.add('stop taking work', () => {
    stopping = true;
    health.markShuttingDown();
  });
  shutdown.add('finish the current object and end the run', () => started.scheduler?.stop());
  shutdown.add('close the PostgreSQL pool and the S3 client', () => connections.close());
  shutdown.add('stop the ops server', () => started.ops?.close());
  shutdown.install();
  const isStopping = () => stopping;

  health.addCheck('postgres', async () => {
    await warehouse.sql`select 1`;
  });
  health.addCheck('s3', () => archive.ensureBucket());
  started.ops = await startOpsServer({ port: config.ETL_PORT, host: config.ETL_HOST, health, registry, logger });
  logger.info({ port: started.ops.port }, 'etl ops server listening');

  if (config.MIGRATE) await untilDone(logger, 'migrating the warehouse', () => warehouse.migrate(), isStopping);
  await untilDone(logger, `creating bucket ${config.S3_BUCKET}`, () => archive.ensureBucket(), isStopping);
  if (stopping) return;

  const deps = { sql: warehouse.sql, archive, logger, metrics };
  const retentionDays = config.RETENTION_DAYS;
  const scheduler = createScheduler({
    run: (signal) => runEtl(deps, { signal, concurrency: config.ETL_CONCURRENCY }),
    intervalMs: config.ETL_INTERVAL_SECONDS * 1000,
    logger,
    ...(retentionDays === undefined
      ? {}
      : {
          daily: async () => {
            await runRetention(deps, { days: retentionDays });
          },
        }),
  });
  started.scheduler = scheduler;
  scheduler.start();
  logger.info({ intervalSeconds: config.ETL_INTERVAL_SECONDS, schema: warehouse.schema, bucket: config.S3_BUCKET, retentionDays }, 'etl scheduler running');
}
