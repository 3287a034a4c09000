// One metric per minute, hour or local day, for charts.
import { InvalidQueryError } from './errors';
import { botFilter, eventTypeFilter, inFilteredSessions, onWholeLocalHours, oneOf, resolveRange, sessionsFilter, withRangeErrors, type MetricRange, type Queryable } from './range';

export const TIMESERIES_METRICS = ['events', 'page_views', 'users', 'sessions', 'revenue', 'orders'] as const;
export type TimeseriesMetric = (typeof TIMESERIES_METRICS)[number];

export const TIMESERIES_INTERVALS = ['minute', 'hour', 'day'] as const;
export type TimeseriesInterval = (typeof TIMESERIES_INTERVALS)[number];

/** The most buckets one call may span (20 000 minutes ≈ 14 days; hours ≈ 2.3 years). */
export const MAX_TIMESERIES_BUCKETS = 20_000;

const INTERVAL_MS: Record<TimeseriesInterval, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export interface TimeseriesOptions {
  metric: TimeseriesMetric;
  interval: TimeseriesInterval;
}

export interface TimeseriesPoint {
  /** The bucket's start, ISO-8601 UTC: the local minute, hour or midnight in the range's time zone. */
  t: string;
  value: number;
}

/**
 * `metric` per bucket in the range, oldest first; buckets without data are absent. Buckets are
 * local to the range's time zone (an hour in Asia/Kolkata starts at :30 UTC; a day at local
 * midnight). events, page_views and users count events by event_time (users: distinct per bucket);
 * sessions count sessions by their start; orders and revenue count orders by their first purchase event.
 * Hour and day buckets come from the hour-grain tables when the range allows it (see `onWholeHours`)
 * and the zone's hours are whole UTC hours throughout; same answers.
 */
export async function timeseries(sql: Queryable, range: MetricRange, options: TimeseriesOptions): Promise<TimeseriesPoint[]> {
  const r = resolveRange(range);
  const metric = oneOf('metric', options?.metric, TIMESERIES_METRICS);
  const interval = oneOf('interval', options?.interval, TIMESERIES_INTERVALS);
  const buckets = (r.to.getTime() - r.from.getTime()) / INTERVAL_MS[interval];
  if (buckets > MAX_TIMESERIES_BUCKETS) {
    throw new InvalidQueryError('interval', `the range holds about ${Math.ceil(buckets)} ${interval}s; at most ${MAX_TIMESERIES_BUCKETS} per request — choose a longer interval or a shorter range`);
  }

  // Hour and day buckets over whole UTC hours without filters, in a zone whose hours and days are
  // unions of whole UTC hours: from the hour-grain tables. Counts and revenue add up over a bucket's
  // hours (revenue over every currency, as the raw path sums amounts whatever their currency); users
  // are the union of each bucket's user_hour_sets, so a user is counted once per bucket as with events.
  if (interval !== 'minute' && onWholeLocalHours(r)) {
    const inRange = sql`site_id = ${r.site} and hour >= ${r.from} and hour < ${r.to} ${botFilter(sql, r)}`;
    const bucket = sql`date_trunc(${interval}, hour, ${r.tz})`;
    const hourly = {
      events: { table: 'event_counts_hourly', value: sql`sum(events)`, only: sql`` },
      page_views: { table: 'event_counts_hourly', value: sql`sum(events)`, only: sql`and event_type = 'page_view'` },
      sessions: { table: 'session_metrics_daily', value: sql`sum(sessions)`, only: sql`` },
      orders: { table: 'revenue_daily', value: sql`sum(orders)`, only: sql`` },
      revenue: { table: 'revenue_daily', value: sql`sum(revenue)`, only: sql`` },
    };
    const rows = await withRangeErrors(r, () => {
      if (metric === 'users') {
        return sql<Array<{ t: Date; value: number }>>`
          select ${bucket} as t, bit_count(user_set_union(users))::float8 as value
          from user_hour_sets
          where ${inRange}
          group by 1
          order by 1`;
      }
      const series = hourly[metric];
      return sql<Array<{ t: Date; value: number }>>`
        select ${bucket} as t, (${series.value})::float8 as value
        from ${sql(series.table)}
        where ${inRange} ${series.only}
        group by 1
        order by 1`;
    });
    return rows.map((row) => ({ t: row.t.toISOString(), value: row.value }));
  }

  // `only`: the metric's own condition and the filters that apply to it (see MetricFilters)
  const series = {
    events: { table: 'events', time: 'event_time', value: sql`count(*)`, only: sql`${eventTypeFilter(sql, r)} ${inFilteredSessions(sql, r, 'events')}` },
    page_views: { table: 'events', time: 'event_time', value: sql`count(*)`, only: sql`and event_type = 'page_view' ${inFilteredSessions(sql, r, 'events')}` },
    users: { table: 'events', time: 'event_time', value: sql`count(distinct user_id)`, only: sql`${eventTypeFilter(sql, r)} ${inFilteredSessions(sql, r, 'events')}` },
    sessions: { table: 'sessions', time: 'started_at', value: sql`count(*)`, only: sessionsFilter(sql, r, 'sessions') },
    orders: { table: 'orders', time: 'ordered_at', value: sql`count(*)`, only: inFilteredSessions(sql, r, 'orders') },
    revenue: { table: 'orders', time: 'ordered_at', value: sql`sum(amount)`, only: inFilteredSessions(sql, r, 'orders') },
  }[metric];
  const time = sql(series.time);

  const rows = await withRangeErrors(
    r,
    () => sql<Array<{ t: Date; value: number }>>`
      select date_trunc(${interval}, ${time}, ${r.tz}) as t, (${series.value})::float8 as value
      from ${sql(series.table)}
      where site_id = ${r.site} and ${time} >= ${r.from} and ${time} < ${r.to} ${botFilter(sql, r)} ${series.only}
      group by 1
      order by 1`,
  );
  return rows.map((row) => ({ t: row.t.toISOString(), value: row.value }));
}
