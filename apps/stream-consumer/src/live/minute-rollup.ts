// Per-minute counts per site, user and event type (seed 003's user_minute_counts), aggregated
// in memory from a batch of events before one upsert.

import type { MinuteCount } from '@clickstream/warehouse';

/** The fields of a canonical event a rollup reads. */
export interface RollupInput {
  site_id: string;
  user_id: string;
  event_type: string;
  event_time: string;
}

const MINUTE_MS = 60_000;

export function minuteOf(isoTime: string): Date {
  const ms = Date.parse(isoTime);
  return new Date(ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS));
}

/** Counts per (site, minute of event_time, user, event type). */
export function rollUpByMinute(events: Iterable<RollupInput>): MinuteCount[] {
  const rows = new Map<string, MinuteCount>();
  for (const e of events) {
    const minute = minuteOf(e.event_time);
    const key = `${e.site_id}\u0000${minute.getTime()}\u0000${e.user_id}\u0000${e.event_type}`;
    const row = rows.get(key);
    if (row) row.count++;
    else rows.set(key, { site_id: e.site_id, minute, user_id: e.user_id, event_type: e.event_type, count: 1 });
  }
  return [...rows.values()];
}
