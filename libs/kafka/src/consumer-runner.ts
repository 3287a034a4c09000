// Runs a consumer group member that hands each fetched batch to a handler and commits the batch's
// offsets only after the handler's promise resolves (CONVENTIONS #5). A retriable failure is
// retried in place with backoff (heartbeating meanwhile); a fatal one restarts the consumer from
// the last commit, so nothing is skipped.

import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '@clickstream/runtime';
import { isRetriable } from './errors';

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  firstOffset: string;
  lastOffset: string;
  /** The partition's log end offset when the batch was fetched. */
  highWatermark: string;
}

export interface ConsumerRunnerOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  /** Where a group with no commits starts (default: the beginning). */
  fromBeginning?: boolean;
  logger: Logger;
  handler: (batch: ConsumedBatch) => Promise<void>;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxBytesPerPartition?: number;
  /** Batches of different partitions handled at once (their handlers overlap; one partition's stay in order). */
  partitionsConsumedConcurrently?: number;
  /** Backoff for retriable handler failures. */
  retry?: { initialMs?: number; maxMs?: number };
}

export interface ConsumerRunner {
  start(): Promise<void>;
  /** Finishes the batch in hand, commits it, leaves the group. */
  stop(): Promise<void>;
  readonly consumer: Consumer;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createConsumerRunner(options: ConsumerRunnerOptions): ConsumerRunner {
  const log = options.logger.child({ group: options.groupId, topic: options.topic });
  const initialMs = options.retry?.initialMs ?? 200;
  const maxMs = options.retry?.maxMs ?? 10_000;
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 3000,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
  });

  return {
    consumer,
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          if (batch.isEmpty()) return;
          const work: ConsumedBatch = {
            topic: batch.topic,
            partition: batch.partition,
            messages: batch.messages,
            firstOffset: batch.firstOffset() as string,
            lastOffset: batch.lastOffset(),
            highWatermark: batch.highWatermark,
          };
          for (let attempt = 1; ; attempt++) {
            if (!isRunning() || isStale()) return;
            try {
              await options.handler(work);
              break;
            } catch (err) {
              if (!isRetriable(err)) {
                log.error({ err, partition: batch.partition, offset: work.firstOffset }, 'batch failed; restarting from the last commit');
                throw err;
              }
              const delay = Math.min(maxMs, initialMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
              log.warn({ err, partition: batch.partition, attempt, retryInMs: Math.round(delay) }, 'batch failed; retrying');
              for (let waited = 0; waited < delay; waited += 500) {
                await sleep(Math.min(500, delay - waited));
                await heartbeat();
              }
            }
          }
          const next = (BigInt(work.lastOffset) + 1n).toString();
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
          resolveOffset(work.lastOffset);
          await heartbeat();
        },
      });
    },
    stop: () => consumer.disconnect(),
  };
}
