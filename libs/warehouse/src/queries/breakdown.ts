// Events, users and sessions per value of one visitor dimension (country, device, browser, …), from
// the events fact and the sessions model or, for whole UTC hours without filters, from their
// hour-grain sums per dimension value.
import { BREAKDOWN_DIMENSION_COLUMNS } from '../schema/models';
import { botFilter, eventTypeFilter, inFilteredSessions, onWholeHours, oneOf, sessionsFilter, resolveLimit, resolveRange, withRangeErrors, type ListOptions, type MetricRange, type Queryable } from './range';
import { keyedUsers } from './user-sets';

/** The dimensions, each a column of both `events` and `sessions` (and of the breakdown rollups). */
export const BREAKDOWN_DIMENSIONS = BREAKDOWN_DIMENSION_COLUMNS;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

export interface BreakdownRow {
  /** The dimension's value; '(none)' when it is unknown. */
  value: string;
  /** Events in the range with this value (each event's own). */
  events: number;
  /** Distinct users of those sessions (a user can count under several values). */
  users: number;
  /** Sessions starting in the range whose first event has this value. */
  sessions: number;
}

/**
 * Values of `dimension` by events in the range, most first (ties by value), at most `limit` (50).
 * Events are counted by each event's own value; sessions, and their users, by the value of the
 * session's first event (the sessions model), as visitors are attributed in web analytics: a
 * session is counted once even when, say, its browser changes, and a user under each value their
 * sessions started with. A value can have sessions but no events in the range, or the other way round.
 */
export async function breakdown(sql: Queryable, range: MetricRange, dimension: BreakdownDimension, options: ListOptions = {}): Promise<BreakdownRow[]> {
  const r = resolveRange(range);
  const checked = oneOf('dimension', dimension, BREAKDOWN_DIMENSIONS);
  const column = sql(checked);
  const limit = resolveLimit(options.limit);
  if (onWholeHours(r)) {
    // The hour tables hold what the raw query groups: events and sessions per value are sums over
    // hours; users are not additive, so they are counted as sets (keyedUsers) — only for the
    // values that make the list. A user with human and bot rows is one user number either way.
    const inHours = sql`site_id = ${r.site} and dimension = ${checked} and hour >= ${r.from} and hour < ${r.to} ${botFilter(sql, r)}`;
    return withRangeErrors(r, () =>
      sql<BreakdownRow[]>`
        with by_event as (
          select value, sum(events) as events
          from event_dimension_hourly
          where ${inHours}
          group by value
        ),
        by_session as (
          select value, sum(sessions) as sessions
          from session_dimension_hourly
          where ${inHours}
          group by value
        ),
        top as (
          select coalesce(e.value, s.value) as value, coalesce(e.events, 0) as events, coalesce(s.sessions, 0) as sessions
          from by_event e
          full join by_session s on s.value = e.value
          order by events desc, coalesce(e.value, s.value) collate "C"
          limit ${limit}
        ),
        users as (
          select key as value, users
          from (${keyedUsers(sql, r, {
            days: { table: 'dimension_user_days', key: 'value', where: sql`and dimension = ${checked}` },
            hours: { table: 'dimension_user_hours', key: checked },
            keys: sql`select value from top`,
          })}) u
        )
        select t.value collate "C" as value,
               t.events::float8 as events,
               coalesce(u.users, 0)::float8 as users,
               t.sessions::float8 as sessions
        from top t
        left join users u on u.value = t.value
        order by events desc, value`,
    );
  }
  return withRangeErrors(r, () =>
    sql<BreakdownRow[]>`
      with by_event as (
        select coalesce(${column}, '(none)') as value, count(*) as events
        from events
        where site_id = ${r.site} and event_time >= ${r.from} and event_time < ${r.to} ${botFilter(sql, r)} ${eventTypeFilter(sql, r)} ${inFilteredSessions(sql, r, 'events')}
        group by 1
      ),
      by_session as (
        select coalesce(${column}, '(none)') as value, count(*) as sessions, count(distinct user_id) as users
        from sessions
        where site_id = ${r.site} and started_at >= ${r.from} and started_at < ${r.to} ${botFilter(sql, r)} ${sessionsFilter(sql, r, 'sessions')}
        group by 1
      )
      select coalesce(e.value, s.value) collate "C" as value,
             coalesce(e.events, 0)::float8 as events,
             coalesce(s.users, 0)::float8 as users,
             coalesce(s.sessions, 0)::float8 as sessions
      from by_event e
      full join by_session s on s.value = e.value
      order by events desc, value
      limit ${limit}`,
  );
}
