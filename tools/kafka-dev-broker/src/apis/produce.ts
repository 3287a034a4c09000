// Produce (v3): record batches are stored as received with their offsets rewritten. acks=0 gets
// no response; acks=1 and acks=all are the same on one node — answered after the batches are
// written to the log (in the OS page cache, or on disk with fsync=always).

import type { ApiHandler } from '../context';
import { ErrorCode } from '../protocol/error-codes';
import { Writer } from '../protocol/writer';
import { CorruptBatchError, InvalidTopicError } from '../storage';

interface PartitionResult {
  partition: number;
  error: number;
  baseOffset: bigint;
}

export const handleProduce: ApiHandler = (ctx, req) => {
  const r = req.body;
  r.nullableString(); // transactional_id
  const acks = r.int16();
  r.int32(); // timeout_ms
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => ({ partition: r.int32(), records: r.nullableBytes() })),
  }));

  const results = topics.map((topic) => {
    let partitionCount: number | undefined;
    try {
      partitionCount = ctx.logs.topic(topic.name)?.partitions ?? (ctx.autoCreateTopics ? ctx.logs.ensureTopic(topic.name).partitions : undefined);
    } catch (err) {
      if (!(err instanceof InvalidTopicError)) throw err;
    }
    const partitions = topic.partitions.map((p): PartitionResult => {
      const log = partitionCount !== undefined ? ctx.logs.partition(topic.name, p.partition) : undefined;
      if (!log) return { partition: p.partition, error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1n };
      if (acks !== 0 && acks !== 1 && acks !== -1) return { partition: p.partition, error: ErrorCode.INVALID_REQUIRED_ACKS, baseOffset: -1n };
      if (!p.records || p.records.length === 0) return { partition: p.partition, error: ErrorCode.NONE, baseOffset: log.nextOffset };
      try {
        const { baseOffset } = log.append(p.records);
        ctx.notifier.notify(topic.name, p.partition);
        return { partition: p.partition, error: ErrorCode.NONE, baseOffset };
      } catch (err) {
        if (err instanceof CorruptBatchError) {
          ctx.log.warn('corrupt record batch refused', { topic: topic.name, partition: p.partition, error: err.message });
          return { partition: p.partition, error: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1n };
        }
        ctx.log.error('append failed', { topic: topic.name, partition: p.partition, error: (err as Error).message });
        return { partition: p.partition, error: ErrorCode.KAFKA_STORAGE_ERROR, baseOffset: -1n };
      }
    });
    return { name: topic.name, partitions };
  });

  if (acks === 0) return null;
  const w = new Writer();
  w.array(results, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p.partition).int16(p.error).int64(p.baseOffset).int64(-1n));
  });
  w.int32(0); // throttle_time_ms
  return w;
};
