// ListOffsets (v1–2): -1 = the log end, -2 = the log start, else the first offset at or after a timestamp.

import type { ApiHandler } from '../context';
import { ErrorCode } from '../protocol/error-codes';
import { Writer } from '../protocol/writer';

const LATEST = -1n;
const EARLIEST = -2n;

export const handleListOffsets: ApiHandler = (ctx, req) => {
  const v = req.header.apiVersion;
  const r = req.body;
  r.int32(); // replica_id
  if (v >= 2) r.int8(); // isolation_level
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => ({ partition: r.int32(), timestamp: r.int64() })),
  }));
  const w = new Writer();
  if (v >= 2) w.int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      const log = ctx.logs.partition(t.name, p.partition);
      if (!log) {
        w.int32(p.partition).int16(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).int64(-1n).int64(-1n);
        return;
      }
      let offset: bigint;
      let timestamp = -1n;
      if (p.timestamp === LATEST) offset = log.nextOffset;
      else if (p.timestamp === EARLIEST) offset = log.logStartOffset;
      else {
        const found = log.offsetForTimestamp(p.timestamp);
        offset = found ?? log.nextOffset;
        if (found !== undefined) timestamp = p.timestamp;
      }
      w.int32(p.partition).int16(ErrorCode.NONE).int64(timestamp).int64(offset);
    });
  });
  return w;
};
