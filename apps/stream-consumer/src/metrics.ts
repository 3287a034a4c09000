// The stream consumer's Prometheus metrics (the pipeline metrics seed 000 exposed): records by
// pipeline and outcome, archive bytes/objects/flush time, rollup rows, dead letters, failures by
// stage, and consumer lag per partition.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type Pipeline = 'archiver' | 'live';

export interface ConsumerMetrics {
  records: Counter<'pipeline' | 'outcome'>;
  archivedBytes: Counter;
  archiveObjects: Counter;
  flushDuration: Histogram;
  bufferedRecords: Gauge<'partition'>;
  rollupRows: Counter;
  rollupBatchDuration: Histogram;
  deadLetters: Counter<'pipeline' | 'code'>;
  failures: Counter<'stage' | 'kind'>;
  lag: Gauge<'group' | 'partition'>;
}

export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  const registers = [registry];
  return {
    records: new Counter({
      name: 'clickstream_consumer_records_total',
      help: 'Kafka records handled, by pipeline and outcome (archived, rolled_up, dead_lettered, skipped_replay, skipped_bot)',
      labelNames: ['pipeline', 'outcome'] as const,
      registers,
    }),
    archivedBytes: new Counter({ name: 'clickstream_archive_bytes_total', help: 'Compressed bytes written to the raw archive', registers }),
    archiveObjects: new Counter({ name: 'clickstream_archive_objects_total', help: 'Raw archive objects written', registers }),
    flushDuration: new Histogram({
      name: 'clickstream_archive_flush_duration_seconds',
      help: 'Time to write one archive object and commit its offsets (including retries)',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    bufferedRecords: new Gauge({
      name: 'clickstream_archive_buffered_records',
      help: 'Records held in memory, not yet archived, by partition',
      labelNames: ['partition'] as const,
      registers,
    }),
    rollupRows: new Counter({ name: 'clickstream_live_rollup_rows_total', help: 'user_minute_counts rows upserted', registers }),
    rollupBatchDuration: new Histogram({
      name: 'clickstream_live_batch_duration_seconds',
      help: 'Time to roll up one Kafka batch into PostgreSQL (one transaction)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    deadLetters: new Counter({
      name: 'clickstream_consumer_dlq_messages_total',
      help: 'Poison messages sent to the dead-letter topic, by pipeline and reason',
      labelNames: ['pipeline', 'code'] as const,
      registers,
    }),
    failures: new Counter({
      name: 'clickstream_consumer_failures_total',
      help: 'Failed attempts by stage (dlq, s3_put, s3_list, kafka_commit, pg_rollup) and kind (retriable, fatal)',
      labelNames: ['stage', 'kind'] as const,
      registers,
    }),
    lag: new Gauge({
      name: 'clickstream_consumer_lag',
      help: 'Records between the group committed offset and the end of each partition',
      labelNames: ['group', 'partition'] as const,
      registers,
    }),
  };
}
