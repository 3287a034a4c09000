// The live view's state: what /api/live said at load, advanced by every /ws/live tick (events
// per minute over the last hour, today's total, events by type, the feed of recent events).
// Pure functions of plain data, so the page only stores the result.

import type { EventTypeRow, LiveEvent, LiveReply, LiveTick } from '../../shared/api-types';

export const WINDOW_MINUTES = 60;
export const FEED_SIZE = 50;

export interface MinutePoint {
  /** ISO instant of the minute's start. */
  minute: string;
  events: number;
}

export interface LiveState {
  /** Oldest first, WINDOW_MINUTES consecutive minutes. */
  perMinute: MinutePoint[];
  eventsToday: number;
  /** Events counted by ticks since the page loaded. */
  eventsSinceLoad: number;
  byType: EventTypeRow[];
  /** Newest first, at most FEED_SIZE. */
  feed: LiveEvent[];
  perSecond: number[];
  /** ISO instant of the last tick applied. */
  lastTickAt?: string;
}

const MINUTE_MS = 60_000;

function minuteStart(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** The WINDOW_MINUTES minutes ending with the one holding `endMs`, filled from `counts` (minute start ms → events). */
function minuteWindow(endMs: number, counts: Map<number, number>): MinutePoint[] {
  const end = minuteStart(endMs);
  const out: MinutePoint[] = [];
  for (let m = end - (WINDOW_MINUTES - 1) * MINUTE_MS; m <= end; m += MINUTE_MS) {
    out.push({ minute: new Date(m).toISOString(), events: counts.get(m) ?? 0 });
  }
  return out;
}

/** The state /api/live gives at `now`: the last hour with the minutes it skipped (no events) as 0. */
export function initialLiveState(reply: LiveReply, now: Date): LiveState {
  const counts = new Map<number, number>();
  for (const p of reply.per_minute) {
    const ms = Date.parse(p.minute);
    if (Number.isFinite(ms)) counts.set(minuteStart(ms), (counts.get(minuteStart(ms)) ?? 0) + p.events);
  }
  return {
    perMinute: minuteWindow(now.getTime(), counts),
    eventsToday: reply.events_today,
    eventsSinceLoad: 0,
    byType: [...reply.by_type].sort(byEventsDesc),
    feed: [],
    perSecond: [],
  };
}

function byEventsDesc(a: EventTypeRow, b: EventTypeRow): number {
  return b.events - a.events || (a.event_type < b.event_type ? -1 : a.event_type > b.event_type ? 1 : 0);
}

/** Adds `add` (type → count) to `rows`, most events first. */
export function addByType(rows: readonly EventTypeRow[], add: Record<string, number>): EventTypeRow[] {
  const totals = new Map(rows.map((r) => [r.event_type, r.events]));
  for (const [type, n] of Object.entries(add)) if (n > 0) totals.set(type, (totals.get(type) ?? 0) + n);
  return [...totals].map(([event_type, events]) => ({ event_type, events })).sort(byEventsDesc);
}

/** `feed` with `recent` (newest first) in front, without repeats, at most `size`. */
export function prependFeed(feed: readonly LiveEvent[], recent: readonly LiveEvent[], size = FEED_SIZE): LiveEvent[] {
  if (recent.length === 0) return feed.slice(0, size);
  const seen = new Set<string>();
  const out: LiveEvent[] = [];
  for (const e of [...recent, ...feed]) {
    if (seen.has(e.event_id)) continue;
    seen.add(e.event_id);
    out.push(e);
    if (out.length === size) break;
  }
  return out;
}

/**
 * The state after one tick: its last second's events go to the tick's minute (the window moves
 * forward when the tick is in a later minute), to today's total and to the types; its recent
 * events go on top of the feed. A tick older than the window only updates the feed and the sparkline.
 */
export function applyTick(state: LiveState, tick: LiveTick): LiveState {
  const at = Date.parse(tick.at);
  const n = Math.max(0, tick.events_last_second || 0);
  let perMinute = state.perMinute;
  if (Number.isFinite(at) && perMinute.length > 0) {
    const tickMinute = minuteStart(at);
    const first = Date.parse(perMinute[0].minute);
    const last = Date.parse(perMinute[perMinute.length - 1].minute);
    if (tickMinute > last) {
      const counts = new Map(perMinute.map((p) => [Date.parse(p.minute), p.events]));
      counts.set(tickMinute, n);
      perMinute = minuteWindow(at, counts);
    } else if (tickMinute >= first && n > 0) {
      perMinute = perMinute.map((p) => (Date.parse(p.minute) === tickMinute ? { ...p, events: p.events + n } : p));
    }
  }
  return {
    perMinute,
    eventsToday: state.eventsToday + n,
    eventsSinceLoad: state.eventsSinceLoad + n,
    byType: addByType(state.byType, tick.by_type_last_second ?? {}),
    feed: prependFeed(state.feed, tick.recent ?? []),
    perSecond: Array.isArray(tick.per_second) ? tick.per_second : state.perSecond,
    lastTickAt: tick.at,
  };
}

/** A tick as parsed from a socket frame, or undefined when the frame is not one. */
export function parseTick(data: unknown): LiveTick | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const v = JSON.parse(data) as Partial<LiveTick> | null;
    if (!v || v.type !== 'tick' || typeof v.at !== 'string' || typeof v.events_last_second !== 'number') return undefined;
    return {
      type: 'tick',
      at: v.at,
      events_last_second: v.events_last_second,
      by_type_last_second: v.by_type_last_second && typeof v.by_type_last_second === 'object' ? v.by_type_last_second : {},
      events_since_start: typeof v.events_since_start === 'number' ? v.events_since_start : 0,
      per_second: Array.isArray(v.per_second) ? v.per_second.filter((x): x is number => typeof x === 'number') : [],
      recent: Array.isArray(v.recent) ? v.recent.filter((e): e is LiveEvent => !!e && typeof e === 'object' && typeof e.event_id === 'string') : [],
    };
  } catch {
    return undefined;
  }
}

/**
 * Milliseconds to wait before reconnect attempt `attempt` (0-based): exponential from 1 s, capped
 * at 30 s, with "full jitter" on the upper half so many dashboards do not reconnect in step.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(30_000, 1000 * 2 ** Math.max(0, Math.min(attempt, 15)));
  return Math.round(cap / 2 + random() * (cap / 2));
}
