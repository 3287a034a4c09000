// Consumer groups: the join/sync/heartbeat/leave state machine (Empty → PreparingRebalance →
// CompletingRebalance → Stable), session timeouts, generations, and committed offsets.

import { randomUUID } from 'node:crypto';
import type { BrokerLogger } from './logger';
import { ErrorCode } from './protocol/error-codes';
import type { OffsetStore } from './storage';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinRequest {
  groupId: string;
  memberId: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
}

export interface JoinResult {
  error: number;
  generationId: number;
  protocolName: string;
  leaderId: string;
  memberId: string;
  members: Array<{ memberId: string; metadata: Buffer }>;
}

interface Member extends Omit<JoinRequest, 'groupId' | 'memberId'> {
  id: string;
  assignment: Buffer;
  lastSeen: number;
  pendingJoin?: (result: JoinResult) => void;
  pendingSync?: (result: { error: number; assignment: Buffer }) => void;
}

interface Group {
  id: string;
  state: GroupState;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  members: Map<string, Member>;
  rebalanceDeadline: number;
  rebalanceTimer?: NodeJS.Timeout;
}

export interface GroupCoordinatorOptions {
  offsets: OffsetStore;
  log: BrokerLogger;
  /**
   * Called when a group starts rebalancing. The broker wakes held fetches then: a consumer only
   * heartbeats between fetches, so it learns of the rebalance without waiting out its max wait.
   */
  onRebalance?: (groupId: string) => void;
  /** How long the first join of an empty group waits for more members (Kafka: 3000 ms). */
  initialRebalanceDelayMs?: number;
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
}

const EMPTY = Buffer.alloc(0);

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly log: BrokerLogger;

  constructor(private readonly options: GroupCoordinatorOptions) {
    this.log = options.log;
    this.sweeper = setInterval(() => this.expireMembers(Date.now()), 250);
    this.sweeper.unref();
  }

  get offsets(): OffsetStore {
    return this.options.offsets;
  }

  private group(id: string): Group {
    let g = this.groups.get(id);
    if (!g) {
      g = { id, state: 'Empty', generationId: 0, protocolType: null, protocolName: null, leaderId: null, members: new Map(), rebalanceDeadline: 0 };
      this.groups.set(id, g);
    }
    return g;
  }

  /** Is any group waiting for its members to rejoin? */
  isRebalancing(): boolean {
    for (const g of this.groups.values()) if (g.state === 'PreparingRebalance') return true;
    return false;
  }

  join(req: JoinRequest): Promise<JoinResult> {
    const fail = (error: number): Promise<JoinResult> =>
      Promise.resolve({ error, generationId: -1, protocolName: '', leaderId: '', memberId: req.memberId, members: [] });
    if (!req.groupId) return fail(ErrorCode.INVALID_GROUP_ID);
    const { minSessionTimeoutMs = 1000, maxSessionTimeoutMs = 300_000 } = this.options;
    if (req.sessionTimeoutMs < minSessionTimeoutMs || req.sessionTimeoutMs > maxSessionTimeoutMs) return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    const g = this.group(req.groupId);
    if (g.members.size > 0 && g.protocolType !== req.protocolType) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    if (g.members.size > 0 && !this.commonProtocol(g, req.protocols)) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);

    let member: Member | undefined;
    if (req.memberId) {
      member = g.members.get(req.memberId);
      if (!member) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      member.protocols = req.protocols;
      member.sessionTimeoutMs = req.sessionTimeoutMs;
      member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    } else {
      member = {
        id: `${req.clientId || 'member'}-${randomUUID()}`,
        clientId: req.clientId,
        clientHost: req.clientHost,
        sessionTimeoutMs: req.sessionTimeoutMs,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs,
        protocolType: req.protocolType,
        protocols: req.protocols,
        assignment: EMPTY,
        lastSeen: Date.now(),
      };
      g.members.set(member.id, member);
      g.protocolType = req.protocolType;
      this.log.debug('member joined group', { group: g.id, member: member.id });
    }
    member.lastSeen = Date.now();
    // A member that joins again while it waits for a join answer replaces the earlier wait.
    member.pendingJoin?.({ error: ErrorCode.REBALANCE_IN_PROGRESS, generationId: -1, protocolName: '', leaderId: '', memberId: member.id, members: [] });
    const result = new Promise<JoinResult>((resolve) => {
      member.pendingJoin = resolve;
    });
    this.prepareRebalance(g, g.state === 'Empty' ? (this.options.initialRebalanceDelayMs ?? 0) : undefined);
    this.maybeCompleteJoin(g);
    return result;
  }

  private commonProtocol(g: Group, protocols: Array<{ name: string }>): string | undefined {
    const candidates = protocols.map((p) => p.name);
    return candidates.find((name) => [...g.members.values()].every((m) => m.protocols.some((p) => p.name === name)));
  }

  private prepareRebalance(g: Group, delayMs?: number): void {
    if (g.state === 'PreparingRebalance') return;
    // Followers still waiting for their assignment learn that the generation is over.
    for (const m of g.members.values()) {
      m.pendingSync?.({ error: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      m.pendingSync = undefined;
    }
    g.state = 'PreparingRebalance';
    const timeout = delayMs ?? Math.max(...[...g.members.values()].map((m) => m.rebalanceTimeoutMs), 0);
    g.rebalanceDeadline = Date.now() + timeout;
    clearTimeout(g.rebalanceTimer);
    g.rebalanceTimer = setTimeout(() => this.rebalanceTimedOut(g), timeout);
    g.rebalanceTimer.unref();
    this.log.debug('group rebalancing', { group: g.id, generation: g.generationId, members: g.members.size });
    this.options.onRebalance?.(g.id);
  }

  private rebalanceTimedOut(g: Group): void {
    if (g.state !== 'PreparingRebalance') return;
    // Members that did not rejoin in time are out.
    for (const m of [...g.members.values()]) {
      if (!m.pendingJoin) {
        g.members.delete(m.id);
        this.log.info('member removed: did not rejoin before the rebalance timeout', { group: g.id, member: m.id });
      }
    }
    this.completeJoin(g);
  }

  private maybeCompleteJoin(g: Group): void {
    if (g.state !== 'PreparingRebalance') return;
    if (Date.now() < g.rebalanceDeadline && g.generationId === 0 && this.options.initialRebalanceDelayMs) return;
    for (const m of g.members.values()) if (!m.pendingJoin) return;
    this.completeJoin(g);
  }

  private completeJoin(g: Group): void {
    clearTimeout(g.rebalanceTimer);
    if (g.members.size === 0) {
      g.state = 'Empty';
      g.generationId++;
      g.leaderId = null;
      g.protocolName = null;
      return;
    }
    g.generationId++;
    if (!g.leaderId || !g.members.has(g.leaderId)) g.leaderId = g.members.keys().next().value ?? null;
    const leader = g.members.get(g.leaderId as string) as Member;
    g.protocolName = this.commonProtocol(g, leader.protocols) ?? leader.protocols[0]?.name ?? '';
    g.state = 'CompletingRebalance';
    const protocolName = g.protocolName;
    const all = [...g.members.values()].map((m) => ({
      memberId: m.id,
      metadata: m.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY,
    }));
    const now = Date.now();
    for (const m of g.members.values()) {
      m.lastSeen = now;
      const reply = m.pendingJoin;
      m.pendingJoin = undefined;
      reply?.({
        error: ErrorCode.NONE,
        generationId: g.generationId,
        protocolName,
        leaderId: g.leaderId as string,
        memberId: m.id,
        members: m.id === g.leaderId ? all : [],
      });
    }
    this.log.info('group rebalanced', { group: g.id, generation: g.generationId, members: g.members.size, protocol: protocolName });
  }

  sync(groupId: string, generationId: number, memberId: string, assignments: Array<{ memberId: string; assignment: Buffer }>): Promise<{ error: number; assignment: Buffer }> {
    const g = this.groups.get(groupId);
    const member = g?.members.get(memberId);
    if (!g || !member) return Promise.resolve({ error: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    if (generationId !== g.generationId) return Promise.resolve({ error: ErrorCode.ILLEGAL_GENERATION, assignment: EMPTY });
    member.lastSeen = Date.now();
    if (g.state === 'PreparingRebalance') return Promise.resolve({ error: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    if (g.state === 'Stable') return Promise.resolve({ error: ErrorCode.NONE, assignment: member.assignment });
    // CompletingRebalance: the leader brings everyone's assignment; followers wait for it.
    const result = new Promise<{ error: number; assignment: Buffer }>((resolve) => {
      member.pendingSync = resolve;
    });
    if (memberId === g.leaderId) {
      const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
      for (const m of g.members.values()) {
        m.assignment = byMember.get(m.id) ?? EMPTY;
        m.pendingSync?.({ error: ErrorCode.NONE, assignment: m.assignment });
        m.pendingSync = undefined;
      }
      g.state = 'Stable';
      this.log.debug('group stable', { group: g.id, generation: g.generationId });
    }
    return result;
  }

  heartbeat(groupId: string, generationId: number, memberId: string): number {
    const g = this.groups.get(groupId);
    const member = g?.members.get(memberId);
    if (!g || !member) return ErrorCode.UNKNOWN_MEMBER_ID;
    member.lastSeen = Date.now();
    if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (g.state === 'PreparingRebalance' || g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  leave(groupId: string, memberId: string): number {
    const g = this.groups.get(groupId);
    const member = g?.members.get(memberId);
    if (!g || !member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(g, member, 'left the group');
    return ErrorCode.NONE;
  }

  private removeMember(g: Group, member: Member, why: string): void {
    g.members.delete(member.id);
    member.pendingJoin?.({ error: ErrorCode.UNKNOWN_MEMBER_ID, generationId: -1, protocolName: '', leaderId: '', memberId: member.id, members: [] });
    member.pendingSync?.({ error: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    this.log.info(`member ${why}`, { group: g.id, member: member.id, remaining: g.members.size });
    if (g.leaderId === member.id) g.leaderId = null;
    if (g.members.size === 0) {
      clearTimeout(g.rebalanceTimer);
      g.state = 'Empty';
      g.generationId++;
      g.protocolName = null;
      return;
    }
    if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g);
    else this.prepareRebalance(g);
  }

  /** Removes members whose session timed out (members waiting for a join or sync answer are exempt). */
  expireMembers(now: number): void {
    for (const g of this.groups.values()) {
      for (const m of [...g.members.values()]) {
        if (m.pendingJoin || m.pendingSync) continue;
        if (now - m.lastSeen > m.sessionTimeoutMs) this.removeMember(g, m, 'removed: session timed out');
      }
    }
  }

  /** Checks a commit against the group; generation -1 with no member is a simple (admin) commit. */
  validateCommit(groupId: string, generationId: number, memberId: string): number {
    if (!groupId) return ErrorCode.INVALID_GROUP_ID;
    const g = this.groups.get(groupId);
    if (generationId < 0 && !memberId) {
      return g && g.members.size > 0 ? ErrorCode.UNKNOWN_MEMBER_ID : ErrorCode.NONE;
    }
    const member = g?.members.get(memberId);
    if (!g || !member) return ErrorCode.UNKNOWN_MEMBER_ID;
    member.lastSeen = Date.now();
    if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (g.state === 'PreparingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  describe(groupId: string) {
    const g = this.groups.get(groupId);
    if (!g) return { groupId, state: 'Dead' as GroupState, protocolType: '', protocol: '', members: [] };
    return {
      groupId,
      state: g.state,
      protocolType: g.protocolType ?? '',
      protocol: g.protocolName ?? '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.id,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: m.protocols.find((p) => p.name === g.protocolName)?.metadata ?? EMPTY,
        assignment: m.assignment,
      })),
    };
  }

  /** Groups with members now, plus groups that only have committed offsets. */
  list(): Array<{ groupId: string; protocolType: string }> {
    const out = new Map<string, string>();
    for (const g of this.groups.values()) if (g.members.size > 0 || g.state !== 'Empty') out.set(g.id, g.protocolType ?? 'consumer');
    for (const id of this.options.offsets.groups()) if (!out.has(id)) out.set(id, 'consumer');
    return [...out].map(([groupId, protocolType]) => ({ groupId, protocolType }));
  }

  /** Answers every held join and sync so connections can close. */
  close(): void {
    clearInterval(this.sweeper);
    for (const g of this.groups.values()) {
      clearTimeout(g.rebalanceTimer);
      for (const m of g.members.values()) {
        m.pendingJoin?.({ error: ErrorCode.REBALANCE_IN_PROGRESS, generationId: -1, protocolName: '', leaderId: '', memberId: m.id, members: [] });
        m.pendingSync?.({ error: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      }
    }
  }
}
