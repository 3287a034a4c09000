// FindCoordinator (v0–1): this broker coordinates every group.

import type { ApiHandler } from '../context';
import { ErrorCode } from '../protocol/error-codes';
import { Writer } from '../protocol/writer';

export const handleFindCoordinator: ApiHandler = (ctx, req) => {
  const v = req.header.apiVersion;
  req.body.string(); // key
  if (v >= 1) req.body.int8(); // key_type
  const w = new Writer();
  if (v >= 1) w.int32(0);
  w.int16(ErrorCode.NONE);
  if (v >= 1) w.nullableString(null);
  return w.int32(ctx.nodeId).string(ctx.advertisedHost).int32(ctx.advertisedPort);
};
