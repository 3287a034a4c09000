// Events, users and sessions per value of one visitor dimension (country, device, browser, …).
import { botFilter, eventTypeFilter, inFilteredSessions, oneOf, sessionsFilter, resolveLimit, resolveRange, withRangeErrors, type ListOptions, type MetricRange, type Queryable } from './range';

/** The dimensions, each a column of both `events` and `sessions`. */
export const BREAKDOWN_DIMENSIONS = ['country', 'device_type', 'browser', 'os', 'referrer_domain', 'utm_source'] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

export interface BreakdownRow {
  /** The dimension's value; '(none)' when it is unknown. */
  value: string;
  /** Events in the range with this value (each event's own). */
  events: number;
  /** Distinct users with such an event (a user can count under several values). */
  users: number;
  /** Sessions starting in the range whose first event has this value. */
  sessions: number;
}

/**
 * Values of `dimension` by events in the range, most first (ties by value), at most `limit` (50).
 * Events and users are counted by each event's own value; sessions by the value of the session's
 * first event (the sessions model), so a session is counted once even when, say, its browser
 * changes — and a value can have sessions but no events in the range, or the other way round.
 */
export async function breakdown(sql: Queryable, range: MetricRange, dimension: BreakdownDimension, options: ListOptions = {}): Promise<BreakdownRow[]> {
  const r = resolveRange(range);
  const column = sql(oneOf('dimension', dimension, BREAKDOWN_DIMENSIONS));
  const limit = resolveLimit(options.limit);
  return withRangeErrors(r, () =>
    sql<BreakdownRow[]>`
      with by_event as (
        select coalesce(${column}, '(none)') as value, count(*) as events, count(distinct user_id) as users
        from events
        where site_id = ${r.site} and event_time >= ${r.from} and event_time < ${r.to} ${botFilter(sql, r)} ${eventTypeFilter(sql, r)} ${inFilteredSessions(sql, r, 'events')}
        group by 1
      ),
      by_session as (
        select coalesce(${column}, '(none)') as value, count(*) as sessions
        from sessions
        where site_id = ${r.site} and started_at >= ${r.from} and started_at < ${r.to} ${botFilter(sql, r)} ${sessionsFilter(sql, r, 'sessions')}
        group by 1
      )
      select coalesce(e.value, s.value) collate "C" as value,
             coalesce(e.events, 0)::float8 as events,
             coalesce(e.users, 0)::float8 as users,
             coalesce(s.sessions, 0)::float8 as sessions
      from by_event e
      full join by_session s on s.value = e.value
      order by events desc, value
      limit ${limit}`,
  );
}
