// Warehouse maintenance for the ETL's backfill and retention commands: which (site, day) pairs hold
// events in a date range, and the deletion of facts, models and bookkeeping older than a cutoff.
import type { Sql, TransactionSql } from 'postgres';
import type { SiteDay } from './copy-events';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function assertDate(name: string, value: string): void {
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw new RangeError(`${name} must be a YYYY-MM-DD date, got ${JSON.stringify(value)}`);
  }
}

/**
 * The distinct (site, UTC day of event_time) pairs of the events whose day lies in from..to
 * (inclusive YYYY-MM-DD dates), ordered by site then day. Sites are found with a skip scan of the
 * primary key (one index probe per site), then each site-day with one probe of (site_id, event_time):
 * the cost follows sites × days, not the number of events.
 */
export async function siteDaysInRange(sql: Sql, from: string, to: string): Promise<SiteDay[]> {
  assertDate('from', from);
  assertDate('to', to);
  if (from > to) throw new RangeError(`from ${from} is after to ${to}`);
  return sql<SiteDay[]>`
    with recursive sites(site_id) as (
      (select site_id from events order by site_id limit 1)
      union all
      select (select e.site_id from events e where e.site_id > s.site_id order by e.site_id limit 1)
      from sites s where s.site_id is not null
    ), days(day) as (
      select ${from}::date + i from generate_series(0, ${to}::date - ${from}::date) as i
    )
    select s.site_id as "siteId", to_char(d.day, 'YYYY-MM-DD') as day
    from sites s cross join days d
    where s.site_id is not null
      and exists (
        select 1 from events e
        where e.site_id = s.site_id
          and e.event_time >= d.day::timestamp at time zone 'UTC'
          and e.event_time < (d.day + 1)::timestamp at time zone 'UTC'
      )
    order by 1, 2`;
}

/** A table retention prunes and which of its rows are older than the cutoff. */
interface RetentionTarget {
  table: string;
  /** The SQL condition; `$1` is the cutoff, a timestamptz, or its UTC date ('YYYY-MM-DD') when `byDay`. */
  olderThan: string;
  byDay?: true;
}

/**
 * What retention removes, in the order it removes it. Raw-object manifest rows go by the `dt=` day of
 * their key (the day the archive's retention deletes the object by), everything else by its own time.
 * Finished runs only: a run still going is left alone.
 */
const RETENTION_TARGETS: readonly RetentionTarget[] = [
  { table: 'events', olderThan: 'event_time < $1::timestamptz' },
  { table: 'sessions', olderThan: 'started_at < $1::timestamptz' },
  { table: 'page_views', olderThan: 'viewed_at < $1::timestamptz' },
  { table: 'session_metrics_daily', olderThan: 'hour < $1::timestamptz' },
  { table: 'page_engagement_daily', olderThan: 'hour < $1::timestamptz' },
  { table: 'click_through_daily', olderThan: 'hour < $1::timestamptz' },
  { table: 'scroll_depth_daily', olderThan: 'hour < $1::timestamptz' },
  { table: 'revenue_daily', olderThan: 'hour < $1::timestamptz' },
  { table: 'event_counts_hourly', olderThan: 'hour < $1::timestamptz' },
  { table: 'user_hours', olderThan: 'hour < $1::timestamptz' },
  { table: 'event_dimension_hourly', olderThan: 'hour < $1::timestamptz' },
  { table: 'dimension_user_hours', olderThan: 'hour < $1::timestamptz' },
  { table: 'session_dimension_hourly', olderThan: 'hour < $1::timestamptz' },
  { table: 'session_user_hours', olderThan: 'hour < $1::timestamptz' },
  { table: 'page_user_hours', olderThan: 'hour < $1::timestamptz' },
  { table: 'user_hour_sets', olderThan: 'hour < $1::timestamptz' },
  { table: 'session_user_hour_sets', olderThan: 'hour < $1::timestamptz' },
  // a day's set goes once the whole day is older (a cutoff inside a day keeps that day's set)
  { table: 'page_user_days', olderThan: "day < ($1::timestamptz at time zone 'UTC')::date" },
  { table: 'dimension_user_days', olderThan: "day < ($1::timestamptz at time zone 'UTC')::date" },
  { table: 'orders', olderThan: 'ordered_at < $1::timestamptz' },
  { table: 'order_items', olderThan: 'ordered_at < $1::timestamptz' },
  { table: 'users', olderThan: 'last_seen < $1::timestamptz' },
  { table: 'products', olderThan: 'last_ordered_at < $1::timestamptz' },
  { table: 'user_minute_counts', olderThan: 'minute < $1::timestamptz' },
  { table: 'live_hour_counts', olderThan: 'hour < $1::timestamptz' },
  { table: 'etl_objects', olderThan: `substring(key from '^raw/dt=(\\d{4}-\\d{2}-\\d{2})/') < $1::text`, byDay: true },
  { table: 'etl_rejects', olderThan: 'created_at < $1::timestamptz' },
  { table: 'etl_runs', olderThan: `started_at < $1::timestamptz and status <> 'running'` },
];

/** Rows removed (or, in a dry run, that would be removed) per table, in RETENTION_TABLES order. */
export type RetentionCounts = Record<string, number>;

export interface RetentionOptions {
  /** Rows older than this instant go; raw-object manifest rows go when their `dt=` day is before its UTC date. */
  cutoff: Date;
  /** Only count. */
  dryRun?: boolean;
}

/** The tables applyRetention prunes, in order. */
export const RETENTION_TABLES: readonly string[] = RETENTION_TARGETS.map((t) => t.table);

/**
 * Deletes the rows older than `cutoff` from the events fact, every model table, the live rollups and
 * the ETL bookkeeping (manifest, rejects, finished runs), in one transaction (all or nothing), and
 * returns the count per table. With `dryRun` nothing is deleted and the counts say what would go.
 */
export async function applyRetention(sql: Sql, options: RetentionOptions): Promise<RetentionCounts> {
  const { cutoff, dryRun = false } = options;
  if (!(cutoff instanceof Date) || Number.isNaN(cutoff.getTime())) throw new RangeError('applyRetention: cutoff must be a valid Date');
  const work = async (q: Sql | TransactionSql): Promise<RetentionCounts> => {
    const counts: RetentionCounts = {};
    for (const { table, olderThan, byDay } of RETENTION_TARGETS) {
      const param = byDay ? cutoff.toISOString().slice(0, 10) : cutoff.toISOString();
      const statement = dryRun
        ? `select count(*)::bigint as n from ${table} where ${olderThan}`
        : `with gone as (delete from ${table} where ${olderThan} returning 1) select count(*)::bigint as n from gone`;
      const [{ n }] = await q.unsafe<[{ n: string }]>(statement, [param]);
      counts[table] = Number(n);
    }
    return counts;
  };
  return dryRun ? work(sql) : sql.begin((tx) => work(tx));
}
