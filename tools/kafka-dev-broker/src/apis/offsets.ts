// OffsetCommit (v2–3) and OffsetFetch (v1–3): committed offsets, durable in the OffsetStore.

import type { ApiHandler } from '../context';
import { ErrorCode } from '../protocol/error-codes';
import { Writer } from '../protocol/writer';

export const handleOffsetCommit: ApiHandler = (ctx, req) => {
  const v = req.header.apiVersion;
  const r = req.body;
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  r.int64(); // retention_time_ms
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => ({ partition: r.int32(), offset: r.int64(), metadata: r.nullableString() })),
  }));

  const groupError = ctx.groups.validateCommit(groupId, generationId, memberId);
  const results = topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partition: p.partition,
      error:
        groupError !== ErrorCode.NONE
          ? groupError
          : ctx.logs.partition(t.name, p.partition)
            ? ErrorCode.NONE
            : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    })),
  }));
  if (groupError === ErrorCode.NONE) {
    const entries = topics.flatMap((t, i) =>
      t.partitions
        .filter((_, j) => results[i].partitions[j].error === ErrorCode.NONE)
        .map((p) => ({ topic: t.name, partition: p.partition, offset: p.offset, metadata: p.metadata })),
    );
    if (entries.length) ctx.groups.offsets.commit(groupId, entries);
  }

  const w = new Writer();
  if (v >= 3) w.int32(0);
  w.array(results, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p.partition).int16(p.error));
  });
  return w;
};

export const handleOffsetFetch: ApiHandler = (ctx, req) => {
  const v = req.header.apiVersion;
  const r = req.body;
  const groupId = r.string();
  let topics = r.nullableArray((r) => ({ name: r.string(), partitions: r.array((r) => r.int32()) }));
  if (topics === null) {
    // v2+: null asks for every partition the group has committed.
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of ctx.groups.offsets.committed(groupId)) {
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
    }
    topics = [...byTopic].map(([name, partitions]) => ({ name, partitions }));
  }
  const w = new Writer();
  if (v >= 3) w.int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      const committed = ctx.groups.offsets.fetch(groupId, t.name, p);
      w.int32(p).int64(committed?.offset ?? -1n).nullableString(committed?.metadata ?? '').int16(ErrorCode.NONE);
    });
  });
  if (v >= 2) w.int16(ErrorCode.NONE);
  return w;
};
