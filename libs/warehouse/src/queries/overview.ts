// The dashboard's headline figures for a range, beside the same figures for the period just before.
import { botFilter, inFilteredSessions, onWholeHours, previousRange, sessionsFilter, resolveRange, withRangeErrors, type MetricRange, type Queryable, type ResolvedRange } from './range';

export interface OverviewTotals {
  /** Events in the range (by event_time). */
  events: number;
  /** page_view events in the range. */
  page_views: number;
  /** Distinct user_id with an event in the range. */
  users: number;
  /** Sessions that start in the range (by their first event), however long they last. */
  sessions: number;
  /** Their average duration (last − first event), seconds, 2 decimals; 0 without sessions. */
  avg_session_seconds: number;
  /** Their share of bounces, percent, 2 decimals; 0 without sessions. */
  bounce_rate: number;
  /** Σ amount of the orders placed in the range (each order_id once, at its first purchase event). */
  revenue: number;
}

export interface Overview extends OverviewTotals {
  /** The same figures for the range of the same length that ends where this one starts. */
  previous: OverviewTotals;
}

/** Totals for the range and for the period before it (see OverviewTotals for each definition). */
export async function overview(sql: Queryable, range: MetricRange): Promise<Overview> {
  const r = resolveRange(range);
  return withRangeErrors(r, async () => {
    const [current, previous] = await Promise.all([overviewTotals(sql, r), overviewTotals(sql, previousRange(r))]);
    return { ...current, previous };
  });
}

async function overviewTotals(sql: Queryable, r: ResolvedRange): Promise<OverviewTotals> {
  // An event type filter narrows events and users but not page views (see MetricFilters).
  const ofType = r.filters.eventType === undefined ? sql`` : sql`filter (where event_type = ${r.filters.eventType})`;
  // Whole UTC hours without filters: the hour-grain tables hold the same counts, and the users are
  // the union of the hours' sets (a user with human and bot events is one user number either way,
  // so counted once when bots are included).
  const eventTotals = onWholeHours(r)
    ? sql`
      select coalesce(sum(events), 0)::float8 as events,
             coalesce(sum(events) filter (where event_type = 'page_view'), 0)::float8 as page_views,
             (select coalesce(bit_count(user_set_union(users)), 0) from user_hour_sets
              where site_id = ${r.site} and hour >= ${r.from} and hour < ${r.to} ${botFilter(sql, r)})::float8 as users
      from event_counts_hourly
      where site_id = ${r.site} and hour >= ${r.from} and hour < ${r.to} ${botFilter(sql, r)}`
    : sql`
      select (count(*) ${ofType})::float8 as events,
             (count(*) filter (where event_type = 'page_view'))::float8 as page_views,
             (count(distinct user_id) ${ofType})::float8 as users
      from events
      where site_id = ${r.site} and event_time >= ${r.from} and event_time < ${r.to} ${botFilter(sql, r)} ${inFilteredSessions(sql, r, 'events')}`;
  // Sessions and orders likewise from their hour sums (revenue over every currency, as the raw path
  // sums amounts whatever their currency). Durations are averaged as numeric (float8 → numeric
  // keeps their microsecond digits), so rounding to 2 decimals is exact rather than at the mercy of
  // float sums; the hour tables keep exact numeric sums of the same values, and every ratio is a
  // numeric division like avg()'s, so both paths round alike.
  const sessionTotals = onWholeHours(r)
    ? sql`
      select coalesce(sum(sessions), 0)::float8 as sessions,
             coalesce(round(sum(duration_seconds_sum) / nullif(sum(sessions), 0), 2), 0)::float8 as avg_session_seconds,
             coalesce(round(100.0 * sum(bounces) / nullif(sum(sessions), 0), 2), 0)::float8 as bounce_rate
      from session_metrics_daily
      where site_id = ${r.site} and hour >= ${r.from} and hour < ${r.to} ${botFilter(sql, r)}`
    : sql`
      select count(*)::float8 as sessions,
             coalesce(round(avg(duration_seconds::numeric), 2), 0)::float8 as avg_session_seconds,
             coalesce(round(100.0 * count(*) filter (where is_bounce) / nullif(count(*), 0), 2), 0)::float8 as bounce_rate
      from sessions
      where site_id = ${r.site} and started_at >= ${r.from} and started_at < ${r.to} ${botFilter(sql, r)} ${sessionsFilter(sql, r, 'sessions')}`;
  const orderTotals = onWholeHours(r)
    ? sql`
      select coalesce(sum(revenue), 0)::float8 as revenue
      from revenue_daily
      where site_id = ${r.site} and hour >= ${r.from} and hour < ${r.to} ${botFilter(sql, r)}`
    : sql`
      select coalesce(sum(amount), 0)::float8 as revenue
      from orders
      where site_id = ${r.site} and ordered_at >= ${r.from} and ordered_at < ${r.to} ${botFilter(sql, r)} ${inFilteredSessions(sql, r, 'orders')}`;
  const [totals] = await sql<[OverviewTotals]>`
    with event_totals as (${eventTotals}),
    session_totals as (${sessionTotals}),
    order_totals as (${orderTotals})
    select * from event_totals, session_totals, order_totals`;
  return { ...totals };
}
