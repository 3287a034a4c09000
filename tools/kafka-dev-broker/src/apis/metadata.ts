// Metadata (v1–5): this broker as the only node and controller, and the topics asked for
// (auto-creating them when allowed).

import type { ApiHandler, BrokerContext } from '../context';
import { ErrorCode } from '../protocol/error-codes';
import { Writer } from '../protocol/writer';
import { InvalidTopicError } from '../storage';

interface TopicMeta {
  error: number;
  name: string;
  partitions: number;
}

function describeTopic(ctx: BrokerContext, name: string, allowAutoCreate: boolean): TopicMeta {
  const existing = ctx.logs.topic(name);
  if (existing) return { error: ErrorCode.NONE, name, partitions: existing.partitions };
  if (!allowAutoCreate || !ctx.autoCreateTopics) return { error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, partitions: 0 };
  try {
    const created = ctx.logs.ensureTopic(name);
    ctx.log.info('topic auto-created', { topic: name, partitions: created.partitions });
    return { error: ErrorCode.NONE, name, partitions: created.partitions };
  } catch (err) {
    if (err instanceof InvalidTopicError) return { error: ErrorCode.INVALID_TOPIC_EXCEPTION, name, partitions: 0 };
    throw err;
  }
}

export const handleMetadata: ApiHandler = (ctx, req) => {
  const v = req.header.apiVersion;
  const r = req.body;
  const requested = r.nullableArray((r) => r.string());
  const allowAutoCreate = v >= 4 ? r.bool() : true;
  const topics: TopicMeta[] =
    requested === null
      ? ctx.logs.topics().map((t) => ({ error: ErrorCode.NONE, name: t.name, partitions: t.partitions }))
      : requested.map((name) => describeTopic(ctx, name, allowAutoCreate));

  const w = new Writer();
  if (v >= 3) w.int32(0);
  w.array([ctx.nodeId], (w, id) => w.int32(id).string(ctx.advertisedHost).int32(ctx.advertisedPort).nullableString(null));
  if (v >= 2) w.nullableString(ctx.clusterId);
  w.int32(ctx.nodeId);
  w.array(topics, (w, t) => {
    w.int16(t.error).string(t.name).bool(false);
    w.array(Array.from({ length: t.partitions }, (_, i) => i), (w, p) => {
      w.int16(ErrorCode.NONE).int32(p).int32(ctx.nodeId);
      w.array([ctx.nodeId], (w, id) => w.int32(id));
      w.array([ctx.nodeId], (w, id) => w.int32(id));
      if (v >= 5) w.array([], () => undefined);
    });
  });
  return w;
};
