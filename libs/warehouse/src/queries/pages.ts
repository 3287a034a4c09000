// Page engagement per path, from the page_views model (one row per page view, so any range is exact)
// or, for whole UTC hours without filters, from its hourly sums and page_user_hours (unique users).
import { botFilter, inFilteredSessions, onWholeHours, resolveLimit, resolveRange, withRangeErrors, type ListOptions, type MetricRange, type Queryable } from './range';
import { keyedUsers } from './user-sets';

export interface PageRow {
  /** '' for page views without a path. */
  path: string;
  page_views: number;
  /** Distinct user_id with a page view on the path. */
  unique_users: number;
  /** Average time on page over the page views whose time is known (a next page_view, page_close or session_end); null when none. */
  avg_time_seconds: number | null;
  /** Average of each page view's deepest scroll, over the page views that scrolled; null when none. */
  avg_scroll_depth: number | null;
  /** Page views in the range that were their session's last. */
  exits: number;
}

/** Paths by page views in the range, most first (ties by path), at most `limit` (50). */
export async function pages(sql: Queryable, range: MetricRange, options: ListOptions = {}): Promise<PageRow[]> {
  const r = resolveRange(range);
  const limit = resolveLimit(options.limit);
  if (onWholeHours(r)) {
    // Everything but unique users adds up over hours; a distinct count does not, so it is counted
    // over the page_user_hours rows of the paths that make the list (a user with human and bot page
    // views of a path is one user either way; the distinct pairs are hashed rather than sorted).
    return withRangeErrors(r, () =>
      sql<PageRow[]>`
        with top as (
          select path, sum(page_views) as page_views,
                 sum(time_on_page_seconds_sum) as time_sum, sum(time_on_page_count) as time_count,
                 sum(scroll_depth_sum) as scroll_sum, sum(scroll_depth_count) as scroll_count, sum(exits) as exits
          from page_engagement_daily
          where site_id = ${r.site} and hour >= ${r.from} and hour < ${r.to} ${botFilter(sql, r)}
          group by path
          order by page_views desc, path collate "C"
          limit ${limit}
        ),
        -- unique users from the per-day sets and the hours around them (keyedUsers)
        users as (
          select key as path, users as unique_users
          from (${keyedUsers(sql, r, { days: { table: 'page_user_days', key: 'path' }, hours: { table: 'page_user_hours', key: 'path' }, keys: sql`select path from top` })}) u
        )
        select t.path collate "C" as path,
               t.page_views::float8 as page_views,
               coalesce(u.unique_users, 0)::float8 as unique_users,
               round(t.time_sum::numeric / nullif(t.time_count, 0), 2)::float8 as avg_time_seconds,
               round(t.scroll_sum::numeric / nullif(t.scroll_count, 0), 2)::float8 as avg_scroll_depth,
               t.exits::float8 as exits
        from top t
        left join users u on u.path = t.path
        order by page_views desc, path
        limit ${limit}`,
    );
  }
  return withRangeErrors(r, () =>
    sql<PageRow[]>`
      select coalesce(path, '') collate "C" as path,
             count(*)::float8 as page_views,
             count(distinct user_id)::float8 as unique_users,
             round(avg(time_on_page_seconds::numeric), 2)::float8 as avg_time_seconds,
             round(avg(scroll_depth), 2)::float8 as avg_scroll_depth,
             (count(*) filter (where is_exit))::float8 as exits
      from page_views
      where site_id = ${r.site} and viewed_at >= ${r.from} and viewed_at < ${r.to} ${botFilter(sql, r)} ${inFilteredSessions(sql, r, 'page_views')}
      group by 1
      order by page_views desc, path
      limit ${limit}`,
  );
}
