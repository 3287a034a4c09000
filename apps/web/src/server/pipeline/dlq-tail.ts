// The dead-letter topic's size and its last few messages, read without a long-lived consumer group:
// kafkajs has no group-less fetch, so a throw-away consumer in a random group joins, seeks each
// partition to its tail, reads up to the high watermark (or a deadline), and leaves. It never
// commits, so the group leaves no offsets behind.

import { randomUUID } from 'node:crypto';
import { readDeadLetterHeaders } from '@clickstream/kafka';
import type { Logger } from '@clickstream/runtime';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { PipelineReply } from '../../shared/api-types';

export type DlqItem = PipelineReply['dlq']['recent'][number];

export interface PartitionRange {
  partition: number;
  /** Earliest offset still in the log. */
  low: string;
  /** Log end offset (next offset to be written). */
  high: string;
}

/** The stored DLQ value, as text, at most this many characters. */
export const DLQ_VALUE_MAX_CHARS = 2048;

/** Messages in the topic now: Σ(high − low). */
export function messagesIn(ranges: readonly PartitionRange[]): number {
  return ranges.reduce((n, r) => n + Number(BigInt(r.high) - BigInt(r.low)), 0);
}

/** The offsets to read for the last `limit` messages of each partition: [from, high). */
export function tailRanges(ranges: readonly PartitionRange[], limit: number): Array<{ partition: number; from: bigint; high: bigint }> {
  return ranges
    .map((r) => {
      const low = BigInt(r.low);
      const high = BigInt(r.high);
      const from = high - BigInt(limit) > low ? high - BigInt(limit) : low;
      return { partition: r.partition, from, high };
    })
    .filter((r) => r.high > r.from);
}

export function toDlqItem(partition: number, message: KafkaMessage): DlqItem {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(readDeadLetterHeaders(message.headers ?? {}))) if (value !== undefined) headers[key] = value;
  const value = message.value?.toString('utf8') ?? '';
  const timestamp = Number(message.timestamp);
  return {
    partition,
    offset: message.offset,
    timestamp: Number.isFinite(timestamp) ? new Date(timestamp).toISOString() : '',
    headers,
    value: value.length > DLQ_VALUE_MAX_CHARS ? value.slice(0, DLQ_VALUE_MAX_CHARS) : value,
  };
}

/** Newest first: by timestamp (offsets of different partitions do not compare), then offset. */
export function newestFirst(items: DlqItem[], limit: number): DlqItem[] {
  return [...items]
    .sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : a.partition - b.partition || Number(BigInt(b.offset) - BigInt(a.offset))))
    .slice(0, limit);
}

export interface ReadDlqTailOptions {
  kafka: Kafka;
  topic: string;
  ranges: readonly PartitionRange[];
  limit: number;
  logger: Logger;
  /** How long reading may take once the consumer has joined; default 3 s. */
  readTimeoutMs?: number;
  /** How long joining the throw-away group may take; default 10 s (Kafka delays a new group's first join by up to 3 s). */
  joinTimeoutMs?: number;
}

/** The last `limit` messages across the partitions, newest first (fewer when the deadline passes first). */
export async function readDlqTail(options: ReadDlqTailOptions): Promise<DlqItem[]> {
  const { kafka, topic, limit } = options;
  const wanted = tailRanges(options.ranges, limit);
  if (limit <= 0 || wanted.length === 0) return [];
  const log = options.logger.child({ component: 'dlq-tail', topic });
  const consumer = kafka.consumer({
    groupId: `clickstream-web-dlq-${randomUUID()}`,
    maxWaitTimeInMs: 250,
    sessionTimeout: 10_000,
    heartbeatInterval: 3000,
    allowAutoTopicCreation: false,
    // One attempt: a crash ends this read (the caller reports it) instead of restarting the consumer.
    retry: { retries: 1, restartOnFailure: async () => false },
  });
  const byKey = new Map<string, DlqItem>();
  const remaining = new Map(wanted.map((w) => [w.partition, w]));
  let finish: (outcome: 'done' | Error) => void = () => undefined;
  const finished = new Promise<'done' | Error>((resolve) => (finish = resolve));
  let readTimer: NodeJS.Timeout | undefined;

  consumer.on(consumer.events.GROUP_JOIN, () => {
    clearTimeout(joinTimer);
    // Seeks queued here apply to the first fetch; with autoCommit off they commit nothing.
    for (const w of remaining.values()) consumer.seek({ topic, partition: w.partition, offset: w.from.toString() });
    clearTimeout(readTimer);
    readTimer = setTimeout(() => finish('done'), options.readTimeoutMs ?? 3000);
  });
  consumer.on(consumer.events.CRASH, (event) => finish(event.payload.error));
  const joinTimer = setTimeout(() => finish(new Error('timed out joining a consumer group to read the dead-letter topic')), options.joinTimeoutMs ?? 10_000);

  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const w = remaining.get(batch.partition);
        if (!w) return;
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset >= w.from && offset < w.high) byKey.set(`${batch.partition}:${message.offset}`, toDlqItem(batch.partition, message));
        }
        if (BigInt(batch.lastOffset()) >= w.high - 1n) {
          remaining.delete(batch.partition);
          consumer.pause([{ topic, partitions: [batch.partition] }]);
          if (remaining.size === 0) finish('done');
        }
      },
    });
    const outcome = await finished;
    if (outcome instanceof Error) throw outcome;
    if (remaining.size > 0) log.warn({ partitions: [...remaining.keys()] }, 'read the dead-letter tail partly: the deadline passed');
    return newestFirst([...byKey.values()], limit);
  } finally {
    clearTimeout(joinTimer);
    clearTimeout(readTimer);
    await consumer.disconnect().catch((err: unknown) => log.warn({ err }, 'dead-letter reader did not disconnect cleanly'));
  }
}
