// Click-through per (path, button): clicks from the events fact beside the page views of the path or,
// for whole UTC hours without filters, from their hour-grain sums.
import { botFilter, inFilteredSessions, onWholeHours, resolveLimit, resolveRange, withRangeErrors, type ListOptions, type MetricRange, type Queryable } from './range';

export interface ClickRow {
  /** The clicked page's path; '' when the click has none. */
  path: string;
  /** '' when the click has none. */
  button_id: string;
  clicks: number;
  /** Page views of the path in the range. */
  page_views: number;
  /** clicks ÷ page_views × 100, 2 decimals; null when the path has no page views in the range. */
  ctr: number | null;
}

/** (path, button) pairs by clicks in the range, most first (ties by path, button), at most `limit` (50). */
export async function clicks(sql: Queryable, range: MetricRange, options: ListOptions = {}): Promise<ClickRow[]> {
  const r = resolveRange(range);
  const limit = resolveLimit(options.limit);
  if (onWholeHours(r)) {
    // click_through_daily.page_views holds only the hours with a click on that button, so a path's
    // page views come from page_engagement_daily, which has every hour with a page view on it.
    const inHours = sql`site_id = ${r.site} and hour >= ${r.from} and hour < ${r.to} ${botFilter(sql, r)}`;
    return withRangeErrors(r, () =>
      sql<ClickRow[]>`
        with button_clicks as (
          select path, button_id, sum(clicks) as clicks
          from click_through_daily
          where ${inHours}
          group by 1, 2
        ),
        path_views as (
          select path, sum(page_views) as page_views
          from page_engagement_daily
          where ${inHours}
          group by 1
        )
        select c.path collate "C" as path,
               c.button_id collate "C" as button_id,
               c.clicks::float8 as clicks,
               coalesce(v.page_views, 0)::float8 as page_views,
               round(100.0 * c.clicks / v.page_views, 2)::float8 as ctr
        from button_clicks c
        left join path_views v on v.path = c.path
        order by clicks desc, path, button_id
        limit ${limit}`,
    );
  }
  const inRange = sql`site_id = ${r.site} and event_time >= ${r.from} and event_time < ${r.to} ${botFilter(sql, r)} ${inFilteredSessions(sql, r, 'events')}`;
  return withRangeErrors(r, () =>
    sql<ClickRow[]>`
      with button_clicks as (
        select coalesce(page_path, '') as path, coalesce(button_id, '') as button_id, count(*) as clicks
        from events
        where ${inRange} and event_type = 'click'
        group by 1, 2
      ),
      path_views as (
        select coalesce(page_path, '') as path, count(*) as page_views
        from events
        where ${inRange} and event_type = 'page_view'
        group by 1
      )
      select c.path collate "C" as path,
             c.button_id collate "C" as button_id,
             c.clicks::float8 as clicks,
             coalesce(v.page_views, 0)::float8 as page_views,
             round(100.0 * c.clicks / v.page_views, 2)::float8 as ctr
      from button_clicks c
      left join path_views v on v.path = c.path
      order by clicks desc, path, button_id
      limit ${limit}`,
  );
}
