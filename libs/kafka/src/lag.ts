// Consumer lag: how far a group's committed offsets are behind each partition's end.

import type { Admin } from 'kafkajs';

export interface PartitionLag {
  partition: number;
  /** Next offset the group will read (its commit), or null when it never committed. */
  committed: string | null;
  /** The partition's log end offset. */
  end: string;
  lag: number;
}

export async function consumerLag(admin: Admin, groupId: string, topic: string): Promise<PartitionLag[]> {
  const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const commits = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, p.offset]));
  return ends
    .map((p) => {
      const c = commits.get(p.partition);
      const has = c !== undefined && c !== '-1';
      const start = BigInt(p.low);
      const from = has ? BigInt(c) : start;
      return { partition: p.partition, committed: has ? c : null, end: p.high, lag: Number(BigInt(p.high) - (from > start ? from : start)) };
    })
    .sort((a, b) => a.partition - b.partition);
}

export function totalLag(lags: readonly PartitionLag[]): number {
  return lags.reduce((sum, p) => sum + p.lag, 0);
}
