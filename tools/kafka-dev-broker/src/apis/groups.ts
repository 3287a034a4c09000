// JoinGroup (v0–2), SyncGroup (v0–1), Heartbeat (v0–1), LeaveGroup (v0–1), DescribeGroups (v0–1)
// and ListGroups (v0–1): wire encoding around the GroupCoordinator.

import type { ApiHandler } from '../context';
import { ErrorCode } from '../protocol/error-codes';
import { Writer } from '../protocol/writer';

function throttleIf(w: Writer, present: boolean): Writer {
  return present ? w.int32(0) : w;
}

export const handleJoinGroup: ApiHandler = async (ctx, req) => {
  const v = req.header.apiVersion;
  const r = req.body;
  const groupId = r.string();
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = v >= 1 ? r.int32() : sessionTimeoutMs;
  const memberId = r.string();
  const protocolType = r.string();
  const protocols = r.array((r) => ({ name: r.string(), metadata: Buffer.from(r.bytes()) }));
  const result = await ctx.groups.join({
    groupId,
    memberId,
    clientId: req.header.clientId ?? '',
    clientHost: req.remoteAddress,
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    protocolType,
    protocols,
  });
  const w = throttleIf(new Writer(), v >= 2);
  w.int16(result.error).int32(result.generationId).string(result.protocolName).string(result.leaderId).string(result.memberId);
  w.array(result.members, (w, m) => w.string(m.memberId).nullableBytes(m.metadata));
  return w;
};

export const handleSyncGroup: ApiHandler = async (ctx, req) => {
  const r = req.body;
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  const assignments = r.array((r) => ({ memberId: r.string(), assignment: Buffer.from(r.bytes()) }));
  const result = await ctx.groups.sync(groupId, generationId, memberId, assignments);
  return throttleIf(new Writer(), req.header.apiVersion >= 1).int16(result.error).nullableBytes(result.assignment);
};

export const handleHeartbeat: ApiHandler = (ctx, req) => {
  const r = req.body;
  const error = ctx.groups.heartbeat(r.string(), r.int32(), r.string());
  return throttleIf(new Writer(), req.header.apiVersion >= 1).int16(error);
};

export const handleLeaveGroup: ApiHandler = (ctx, req) => {
  const r = req.body;
  const error = ctx.groups.leave(r.string(), r.string());
  return throttleIf(new Writer(), req.header.apiVersion >= 1).int16(error);
};

export const handleDescribeGroups: ApiHandler = (ctx, req) => {
  const ids = req.body.array((r) => r.string());
  const w = throttleIf(new Writer(), req.header.apiVersion >= 1);
  w.array(ids, (w, id) => {
    const g = ctx.groups.describe(id);
    w.int16(ErrorCode.NONE).string(g.groupId).string(g.state).string(g.protocolType).string(g.protocol);
    w.array(g.members, (w, m) =>
      w.string(m.memberId).string(m.clientId).string(m.clientHost).nullableBytes(m.metadata).nullableBytes(m.assignment),
    );
  });
  return w;
};

export const handleListGroups: ApiHandler = (ctx, req) => {
  const w = throttleIf(new Writer(), req.header.apiVersion >= 1).int16(ErrorCode.NONE);
  w.array(ctx.groups.list(), (w, g) => w.string(g.groupId).string(g.protocolType));
  return w;
};
