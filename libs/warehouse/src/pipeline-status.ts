// Reads of the pipeline's own bookkeeping for the dashboard's pipeline view: the last ETL runs, what
// the load manifest holds, how many lines were rejected, and the live rollups' events per UTC day.
import type { Sql, TransactionSql } from 'postgres';
import type { EtlRunStatus } from './schema';

type Queryable = Sql | TransactionSql;

export interface EtlRunRow {
  id: number;
  started_at: Date;
  finished_at: Date | null;
  status: EtlRunStatus;
  objects: number;
  rows: number;
  rejects: number;
  error: string | null;
}

export interface EtlStatus {
  /** Newest first. */
  runs: EtlRunRow[];
  /** Objects in the manifest (etl_objects) and their stored bytes. */
  loaded_objects: number;
  loaded_bytes: number;
  /** Lines kept in etl_rejects. */
  rejected_lines: number;
}

/** The last `runs` ETL runs (default 20, newest first) and the manifest's totals. */
export async function etlStatus(sql: Queryable, options: { runs?: number } = {}): Promise<EtlStatus> {
  const limit = options.runs ?? 20;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`etlStatus: runs must be a non-negative integer, got ${limit}`);
  const [runs, [loaded], [rejected]] = await Promise.all([
    sql<EtlRunRow[]>`
      select id::float8 as id, started_at, finished_at, status, objects, rows, rejects, error
      from etl_runs
      order by started_at desc, id desc
      limit ${limit}`,
    sql<[{ objects: number; bytes: number }]>`
      select count(*)::float8 as objects, coalesce(sum(bytes), 0)::float8 as bytes from etl_objects`,
    sql<[{ lines: number }]>`select count(*)::float8 as lines from etl_rejects`,
  ]);
  return { runs: [...runs], loaded_objects: loaded.objects, loaded_bytes: loaded.bytes, rejected_lines: rejected.lines };
}

const KEYS_PER_QUERY = 1000;

/** Which of `keys` the load manifest (etl_objects) has. */
export async function loadedObjectKeys(sql: Queryable, keys: readonly string[]): Promise<Set<string>> {
  const loaded = new Set<string>();
  for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
    const page = keys.slice(i, i + KEYS_PER_QUERY);
    const rows = await sql<{ key: string }[]>`select key from etl_objects where key = any(${page as string[]}::text[])`;
    for (const row of rows) loaded.add(row.key);
  }
  return loaded;
}

export interface DailyEventCount {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  events: number;
}

/**
 * Events per UTC day in the live rollups (user_minute_counts, every site) for minutes in
 * [from, to), oldest first; days without events are absent.
 */
export async function dailyLiveEventCounts(sql: Queryable, range: { from: Date; to: Date }): Promise<DailyEventCount[]> {
  const rows = await sql<DailyEventCount[]>`
    select to_char(minute at time zone 'UTC', 'YYYY-MM-DD') as day, sum(event_count)::float8 as events
    from user_minute_counts
    where minute >= ${range.from} and minute < ${range.to}
    group by 1
    order by 1`;
  return [...rows];
}
