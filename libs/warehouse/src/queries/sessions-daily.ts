// Sessions per local day: each session counts on the day (in the range's time zone) of its first event.
import { botFilter, onWholeLocalHours, resolveRange, sessionsFilter, withRangeErrors, type MetricRange, type Queryable } from './range';

export interface SessionsDayRow {
  /** YYYY-MM-DD in the range's time zone. */
  day: string;
  sessions: number;
  /** Distinct users of those sessions (a session's user is the user of its first event). */
  users: number;
  /** Average duration (last − first event), seconds, 2 decimals. */
  avg_duration_seconds: number;
  /** Average page views per session, 2 decimals. */
  avg_page_views: number;
  /** Percentage of bounces (exactly one page view, no click or purchase), 2 decimals. */
  bounce_rate: number;
}

/** One row per local day with sessions starting in the range, oldest first. */
export async function sessionsDaily(sql: Queryable, range: MetricRange): Promise<SessionsDayRow[]> {
  const r = resolveRange(range);
  // Whole UTC hours without filters, in a zone whose days are unions of whole UTC hours: from the
  // hour sums of sessions, and the users of each day the union of its hours' session_user_hour_sets.
  // Duration sums are exact numerics and every ratio is a numeric division like avg()'s, so both
  // paths round alike.
  if (onWholeLocalHours(r)) {
    const inRange = sql`site_id = ${r.site} and hour >= ${r.from} and hour < ${r.to} ${botFilter(sql, r)}`;
    const day = sql`date_trunc('day', hour, ${r.tz})`;
    return withRangeErrors(r, () =>
      sql<SessionsDayRow[]>`
        with days as (
          select ${day} as d, sum(sessions) as sessions, sum(duration_seconds_sum) as duration,
                 sum(page_views_sum) as page_views, sum(bounces) as bounces
          from session_metrics_daily
          where ${inRange}
          group by 1
        ),
        day_users as (
          select ${day} as d, bit_count(user_set_union(users)) as users
          from session_user_hour_sets
          where ${inRange}
          group by 1
        )
        select to_char(x.d at time zone ${r.tz}, 'YYYY-MM-DD') as day,
               x.sessions::float8 as sessions,
               coalesce(u.users, 0)::float8 as users,
               round(x.duration / x.sessions, 2)::float8 as avg_duration_seconds,
               round(x.page_views::numeric / x.sessions, 2)::float8 as avg_page_views,
               round(100.0 * x.bounces / x.sessions, 2)::float8 as bounce_rate
        from days x
        left join day_users u on u.d = x.d
        order by x.d`,
    );
  }
  return withRangeErrors(r, () =>
    sql<SessionsDayRow[]>`
      select to_char(started_at at time zone ${r.tz}, 'YYYY-MM-DD') as day,
             count(*)::float8 as sessions,
             count(distinct user_id)::float8 as users,
             round(avg(duration_seconds::numeric), 2)::float8 as avg_duration_seconds,
             round(avg(page_views), 2)::float8 as avg_page_views,
             round(100.0 * count(*) filter (where is_bounce) / count(*), 2)::float8 as bounce_rate
      from sessions
      where site_id = ${r.site} and started_at >= ${r.from} and started_at < ${r.to} ${botFilter(sql, r)} ${sessionsFilter(sql, r, 'sessions')}
      group by 1
      order by 1`,
  );
}
