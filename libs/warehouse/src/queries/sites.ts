// The sites the warehouse knows, for the dashboard's site picker.
import type { Queryable } from './range';

export interface SiteRow {
  site_id: string;
}

/**
 * Every site_id with modelled sessions (session_metrics_daily) or live rollups (user_minute_counts),
 * bots' included, sorted. Each table is read as a loose index scan — one index probe per distinct
 * site, walking its primary key (site_id, …) — so the cost grows with the number of sites, not rows.
 */
export async function sites(sql: Queryable): Promise<SiteRow[]> {
  const rows = await sql<SiteRow[]>`
    with recursive live(site_id) as (
      (select site_id from user_minute_counts order by site_id limit 1)
      union all
      select (select u.site_id from user_minute_counts u where u.site_id > live.site_id order by u.site_id limit 1)
      from live
      where live.site_id is not null
    ),
    modelled(site_id) as (
      (select site_id from session_metrics_daily order by site_id limit 1)
      union all
      select (select d.site_id from session_metrics_daily d where d.site_id > modelled.site_id order by d.site_id limit 1)
      from modelled
      where modelled.site_id is not null
    )
    select site_id
    from (select site_id from live union select site_id from modelled) known
    where site_id is not null
    order by site_id collate "C"`;
  return [...rows];
}
