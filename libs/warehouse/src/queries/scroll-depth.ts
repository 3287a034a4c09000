// Scroll depth per path: seed 000's aggregation of scroll events by URL, beside how deep the page
// views of the path went (each page view's deepest scroll before the next page view); for whole UTC
// hours without filters, from their hour-grain sums.
import { botFilter, inFilteredSessions, onWholeHours, resolveLimit, resolveRange, withRangeErrors, type ListOptions, type MetricRange, type Queryable } from './range';

export interface ScrollDepthRow {
  /** '' for scrolls and page views without a path. */
  path: string;
  /** scroll events (with a depth) on the path in the range. */
  scroll_events: number;
  /** Average of each page view's deepest scroll, over the page views in the range that scrolled; null when none. */
  avg_scroll_depth: number | null;
  /** The deepest of those scroll events; null when none. */
  max_scroll_depth: number | null;
  /** Page views in the range with at least one scroll event. */
  page_views_scrolled: number;
  /** Page views whose deepest scroll reached 25, 50, 75 and 100 percent. */
  reached_25: number;
  reached_50: number;
  reached_75: number;
  reached_100: number;
}

/** Paths by scroll events in the range, most first (ties by page views scrolled, then path), at most `limit` (50). */
export async function scrollDepth(sql: Queryable, range: MetricRange, options: ListOptions = {}): Promise<ScrollDepthRow[]> {
  const r = resolveRange(range);
  const limit = resolveLimit(options.limit);
  if (onWholeHours(r)) {
    // scroll_depth_daily.scroll_depth_sum adds up scroll events, not page views' deepest scrolls, so
    // the per-page-view average comes from page_engagement_daily's scroll sum and count; a row that
    // holds only reach counts (no scroll event in its hour) carries a placeholder max of 0, and such
    // rows exist only beside page views that scrolled.
    const inHours = sql`site_id = ${r.site} and hour >= ${r.from} and hour < ${r.to} ${botFilter(sql, r)}`;
    return withRangeErrors(r, () =>
      sql<ScrollDepthRow[]>`
        with scrolls as (
          select path, sum(scroll_events) as scroll_events, max(max_scroll_depth) filter (where scroll_events > 0) as max_scroll_depth,
                 sum(reached_25) as reached_25, sum(reached_50) as reached_50, sum(reached_75) as reached_75, sum(reached_100) as reached_100
          from scroll_depth_daily
          where ${inHours}
          group by 1
        ),
        scrolled_views as (
          select path, round(sum(scroll_depth_sum)::numeric / sum(scroll_depth_count), 2) as avg_scroll_depth,
                 sum(scroll_depth_count) as page_views_scrolled
          from page_engagement_daily
          where ${inHours} and scroll_depth_count > 0
          group by 1
        )
        select coalesce(s.path, v.path) collate "C" as path,
               coalesce(s.scroll_events, 0)::float8 as scroll_events,
               v.avg_scroll_depth::float8 as avg_scroll_depth,
               s.max_scroll_depth::float8 as max_scroll_depth,
               coalesce(v.page_views_scrolled, 0)::float8 as page_views_scrolled,
               coalesce(s.reached_25, 0)::float8 as reached_25,
               coalesce(s.reached_50, 0)::float8 as reached_50,
               coalesce(s.reached_75, 0)::float8 as reached_75,
               coalesce(s.reached_100, 0)::float8 as reached_100
        from scrolls s
        full join scrolled_views v on v.path = s.path
        order by scroll_events desc, page_views_scrolled desc, path
        limit ${limit}`,
    );
  }
  return withRangeErrors(r, () =>
    sql<ScrollDepthRow[]>`
      with scrolls as (
        select coalesce(page_path, '') as path, count(*) as scroll_events, max(scroll_depth) as max_scroll_depth
        from events
        where site_id = ${r.site} and event_time >= ${r.from} and event_time < ${r.to} ${botFilter(sql, r)} ${inFilteredSessions(sql, r, 'events')}
          and event_type = 'scroll' and scroll_depth is not null
        group by 1
      ),
      scrolled_views as (
        select coalesce(path, '') as path,
               round(avg(scroll_depth), 2) as avg_scroll_depth,
               count(*) as page_views_scrolled,
               count(*) filter (where scroll_depth >= 25) as reached_25,
               count(*) filter (where scroll_depth >= 50) as reached_50,
               count(*) filter (where scroll_depth >= 75) as reached_75,
               count(*) filter (where scroll_depth >= 100) as reached_100
        from page_views
        where site_id = ${r.site} and viewed_at >= ${r.from} and viewed_at < ${r.to} ${botFilter(sql, r)} ${inFilteredSessions(sql, r, 'page_views')}
          and scroll_depth is not null
        group by 1
      )
      select coalesce(s.path, v.path) collate "C" as path,
             coalesce(s.scroll_events, 0)::float8 as scroll_events,
             v.avg_scroll_depth::float8 as avg_scroll_depth,
             s.max_scroll_depth::float8 as max_scroll_depth,
             coalesce(v.page_views_scrolled, 0)::float8 as page_views_scrolled,
             coalesce(v.reached_25, 0)::float8 as reached_25,
             coalesce(v.reached_50, 0)::float8 as reached_50,
             coalesce(v.reached_75, 0)::float8 as reached_75,
             coalesce(v.reached_100, 0)::float8 as reached_100
      from scrolls s
      full join scrolled_views v on v.path = s.path
      order by scroll_events desc, page_views_scrolled desc, path
      limit ${limit}`,
  );
}
