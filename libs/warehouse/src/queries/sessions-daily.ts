// Sessions per local day: each session counts on the day (in the range's time zone) of its first event.
import { botFilter, resolveRange, sessionsFilter, withRangeErrors, type MetricRange, type Queryable } from './range';

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
