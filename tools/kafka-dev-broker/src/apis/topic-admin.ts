// CreateTopics (v0–2) and DeleteTopics (v0–1).

import type { ApiHandler } from '../context';
import { ErrorCode } from '../protocol/error-codes';
import { Writer } from '../protocol/writer';
import { TopicExistsError } from '../storage';

export const handleCreateTopics: ApiHandler = (ctx, req) => {
  const v = req.header.apiVersion;
  const r = req.body;
  const topics = r.array((r) => {
    const name = r.string();
    const partitions = r.int32();
    const replicationFactor = r.int16();
    const assignments = r.array((r) => ({ partition: r.int32(), brokers: r.array((r) => r.int32()) }));
    r.array((r) => ({ name: r.string(), value: r.nullableString() }));
    return { name, partitions: partitions === -1 && assignments.length ? assignments.length : partitions, replicationFactor };
  });
  r.int32(); // timeout_ms
  const validateOnly = v >= 1 ? r.bool() : false;

  const results = topics.map((t): { name: string; error: number; message: string | null } => {
    if (t.replicationFactor > 1) {
      return { name: t.name, error: ErrorCode.INVALID_REPLICATION_FACTOR, message: 'the dev broker has one node: replication factor must be 1 (or -1)' };
    }
    const partitions = t.partitions === -1 ? undefined : t.partitions;
    if (partitions !== undefined && (partitions < 1 || partitions > 10_000)) {
      return { name: t.name, error: ErrorCode.INVALID_PARTITIONS, message: `partitions must be 1..10000 (got ${t.partitions})` };
    }
    try {
      if (ctx.logs.topic(t.name)) throw new TopicExistsError(t.name);
      if (!validateOnly) {
        ctx.logs.createTopic(t.name, partitions);
        ctx.log.info('topic created', { topic: t.name, partitions: partitions ?? 'default' });
      }
      return { name: t.name, error: ErrorCode.NONE, message: null };
    } catch (err) {
      // Storage errors carry the Kafka error code they stand for.
      const code = (err as { kafkaErrorCode?: unknown }).kafkaErrorCode;
      if (typeof code === 'number') return { name: t.name, error: code, message: (err as Error).message };
      throw err;
    }
  });

  const w = new Writer();
  if (v >= 2) w.int32(0);
  w.array(results, (w, t) => {
    w.string(t.name).int16(t.error);
    if (v >= 1) w.nullableString(t.message);
  });
  return w;
};

export const handleDeleteTopics: ApiHandler = (ctx, req) => {
  const v = req.header.apiVersion;
  const names = req.body.array((r) => r.string());
  req.body.int32(); // timeout_ms
  const results = names.map((name) => {
    if (!ctx.logs.topic(name)) return { name, error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    ctx.logs.deleteTopic(name);
    ctx.log.info('topic deleted', { topic: name });
    return { name, error: ErrorCode.NONE };
  });
  const w = new Writer();
  if (v >= 1) w.int32(0);
  w.array(results, (w, t) => w.string(t.name).int16(t.error));
  return w;
};
