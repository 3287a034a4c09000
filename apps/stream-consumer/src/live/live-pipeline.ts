// The live pipeline (group clickstream-live): per-minute counts per site, user and event type
// upserted into user_minute_counts (and their hourly sums into live_hour_counts, in the slot of the
// batch's partition), with the partition's next offset written in the same
// PostgreSQL transaction. PostgreSQL's offset is the truth: on joining the group the consumer
// seeks to it, and a batch (or the part of it) at offsets below it is skipped inside the
// transaction, so a replay from Kafka's older commit never counts an event twice.

import type { Kafka } from 'kafkajs';
import type { CanonicalEvent } from '@clickstream/event-schema';
import { CONSUMER_GROUPS, createConsumerRunner, RetriableError, type ConsumedBatch, type ConsumerRunner, type DeadLetterMessage, type DeadLetterPublisher } from '@clickstream/kafka';
import type { Logger } from '@clickstream/runtime';
import { applyMinuteCounts, claimConsumerOffset, isRetriableDbError, readConsumerOffsets, writeConsumerOffsets, type Warehouse } from '@clickstream/warehouse';
import { decodeEvent } from '../decode-event';
import type { ConsumerMetrics } from '../metrics';

export interface LivePipelineOptions {
  kafka: Kafka;
  topic: string;
  groupId?: string;
  warehouse: Warehouse;
  deadLetters: DeadLetterPublisher;
  logger: Logger;
  metrics: ConsumerMetrics;
  sessionTimeoutMs?: number;
  retry?: { initialMs?: number; maxMs?: number };
}

export function createLivePipeline(options: LivePipelineOptions): ConsumerRunner {
  const { topic, warehouse, deadLetters, metrics } = options;
  const groupId = options.groupId ?? CONSUMER_GROUPS.live;
  const log = options.logger.child({ pipeline: 'live', group: groupId, topic });

  const handler = async (batch: ConsumedBatch): Promise<void> => {
    const started = process.hrtime.bigint();
    const events: Array<{ offset: bigint; event: CanonicalEvent }> = [];
    const poison: DeadLetterMessage[] = [];
    for (const message of batch.messages) {
      const decoded = decodeEvent(message.value);
      if (decoded.ok) events.push({ offset: BigInt(message.offset), event: decoded.event });
      else
        poison.push({
          key: message.key,
          value: message.value ?? '',
          reason: { stage: 'live', code: decoded.code, message: decoded.message, source: { topic, partition: batch.partition, offset: message.offset }, failedAt: new Date() },
        });
    }
    // The dead letters first: a failed DLQ write fails the batch, so nothing is committed past them.
    if (poison.length > 0) {
      try {
        await deadLetters.publish(poison);
      } catch (err) {
        metrics.failures.inc({ stage: 'dlq', kind: 'retriable' });
        throw err;
      }
      for (const p of poison) metrics.deadLetters.inc({ pipeline: 'live', code: p.reason.code });
      metrics.records.inc({ pipeline: 'live', outcome: 'dead_lettered' }, poison.length);
    }

    const next = BigInt(batch.lastOffset) + 1n;
    try {
      const outcome = await warehouse.sql.begin(async (tx) => {
        const stored = await claimConsumerOffset(tx, groupId, topic, batch.partition);
        if (stored >= next) return { applied: 0, skipped: events.length, bots: 0, rows: 0 };
        const fresh = events.filter((e) => e.offset >= stored).map((e) => e.event);
        // Bots stay out of every metric by default (DESIGN.md), and the rollups have no bot flag.
        const humans = fresh.filter((e) => !e.context.is_bot);
        // applyMinuteCounts truncates to the minute and sums rows with the same key. The hour sums go
        // to the partition's own slot: partitions consumed concurrently never wait on each other there.
        const rows = await applyMinuteCounts(
          tx,
          humans.map((e) => ({ site_id: e.site_id, minute: new Date(e.event_time), user_id: e.user_id, event_type: e.event_type, count: 1 })),
          { slot: batch.partition },
        );
        await writeConsumerOffsets(tx, groupId, topic, new Map([[batch.partition, next.toString()]]));
        return { applied: humans.length, skipped: events.length - fresh.length, bots: fresh.length - humans.length, rows };
      });
      metrics.records.inc({ pipeline: 'live', outcome: 'rolled_up' }, outcome.applied);
      if (outcome.bots > 0) metrics.records.inc({ pipeline: 'live', outcome: 'skipped_bot' }, outcome.bots);
      if (outcome.skipped > 0) {
        metrics.records.inc({ pipeline: 'live', outcome: 'skipped_replay' }, outcome.skipped);
        log.info({ partition: batch.partition, skipped: outcome.skipped }, 'skipped events already counted (replay)');
      }
      metrics.rollupRows.inc(outcome.rows);
      metrics.rollupBatchDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    } catch (err) {
      const retriable = isRetriableDbError(err);
      metrics.failures.inc({ stage: 'pg_rollup', kind: retriable ? 'retriable' : 'fatal' });
      if (retriable) throw new RetriableError(`PostgreSQL is unavailable: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  };

  const runner = createConsumerRunner({
    kafka: options.kafka,
    groupId,
    topic,
    logger: options.logger,
    handler,
    sessionTimeoutMs: options.sessionTimeoutMs,
    // Larger batches mean fewer transactions; several partitions at once overlap one's PostgreSQL
    // round trips with another's decoding.
    maxBytesPerPartition: 4 * 1024 * 1024,
    partitionsConsumedConcurrently: 3,
    heartbeatIntervalMs: Math.min(3000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
    retry: options.retry,
  });

  // Start each assigned partition where PostgreSQL says the rollups end. (Kafka's own commit
  // follows PostgreSQL's and can only be behind it; the in-transaction check covers the gap.)
  const consumer = runner.consumer;
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const assigned = new Set(event.payload.memberAssignment[topic] ?? []);
    readConsumerOffsets(warehouse.sql, groupId, topic).then(
      (offsets) => {
        for (const [partition, offset] of offsets) {
          if (assigned.has(partition)) consumer.seek({ topic, partition, offset });
        }
      },
      (err: unknown) => log.warn({ err }, 'could not read the rollup offsets from PostgreSQL; starting from the Kafka commits'),
    );
  });
  return runner;
}
