// Fetch (v4): whole stored batches from the requested offsets. When less than min_bytes is
// available the request is held until data arrives or max_wait passes.

import type { ApiHandler, BrokerContext } from '../context';
import { ErrorCode } from '../protocol/error-codes';
import { Writer } from '../protocol/writer';
import { OffsetOutOfRangeError } from '../storage';

const REBALANCE_HOLD_MS = 250;

interface PartitionFetch {
  partition: number;
  offset: bigint;
  maxBytes: number;
}

interface PartitionData {
  partition: number;
  error: number;
  highWatermark: bigint;
  records: Buffer | null;
}

function readAll(ctx: BrokerContext, topics: Array<{ name: string; partitions: PartitionFetch[] }>, maxBytes: number) {
  let total = 0;
  const out = topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p): PartitionData => {
      const log = ctx.logs.partition(t.name, p.partition);
      if (!log) return { partition: p.partition, error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1n, records: null };
      try {
        // The first partition with data always gets at least one batch; later ones only what fits.
        const budget = total === 0 ? p.maxBytes : Math.min(p.maxBytes, Math.max(0, maxBytes - total));
        if (budget <= 0) return { partition: p.partition, error: ErrorCode.NONE, highWatermark: log.nextOffset, records: Buffer.alloc(0) };
        const { data, highWatermark } = log.read(p.offset, budget);
        total += data.length;
        return { partition: p.partition, error: ErrorCode.NONE, highWatermark, records: data };
      } catch (err) {
        if (err instanceof OffsetOutOfRangeError) {
          return { partition: p.partition, error: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: log.nextOffset, records: null };
        }
        throw err;
      }
    }),
  }));
  return { topics: out, total };
}

export const handleFetch: ApiHandler = async (ctx, req) => {
  const r = req.body;
  r.int32(); // replica_id
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = r.int32();
  r.int8(); // isolation_level
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r): PartitionFetch => ({ partition: r.int32(), offset: r.int64(), maxBytes: r.int32() })),
  }));

  let result = readAll(ctx, topics, maxBytes);
  // While a group rebalances, its members learn of it only between fetches: hold briefly.
  const holdMs = ctx.groups.isRebalancing() ? Math.min(maxWaitMs, REBALANCE_HOLD_MS) : maxWaitMs;
  const deadline = Date.now() + holdMs;
  while (result.total < Math.max(1, minBytes) && !ctx.stopping) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const why = await ctx.notifier.wait(topics.flatMap((t) => t.partitions.map((p) => [t.name, p.partition] as const)), left);
    result = readAll(ctx, topics, maxBytes);
    if (why === 'interrupted') break;
  }

  const w = new Writer().int32(0);
  w.array(result.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      w.int32(p.partition).int16(p.error).int64(p.highWatermark).int64(p.highWatermark);
      w.int32(-1); // aborted_transactions: null
      w.nullableBytes(p.records);
    });
  });
  return w;
};
