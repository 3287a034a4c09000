// Typed reads of the live rollups (user_minute_counts) for the dashboard's live view and the API.
import type { Sql, TransactionSql } from 'postgres';

type Queryable = Sql | TransactionSql;

export interface TimeRange {
  site: string;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
}

export interface MinuteTotal {
  minute: Date;
  events: number;
}

/** Events per minute in [from, to), oldest first; minutes without events are absent. */
export async function minuteCounts(sql: Queryable, range: TimeRange & { eventType?: string }): Promise<MinuteTotal[]> {
  return sql<MinuteTotal[]>`
    select minute, sum(event_count)::float8 as events
    from user_minute_counts
    where site_id = ${range.site} and minute >= ${range.from} and minute < ${range.to}
      ${range.eventType === undefined ? sql`` : sql`and event_type = ${range.eventType}`}
    group by minute
    order by minute`;
}

export interface UserTotal {
  user_id: string;
  events: number;
}

/** The most active users since `since` (inclusive), most events first (ties by user_id). */
export async function topUsers(sql: Queryable, query: { site: string; since: Date; limit?: number }): Promise<UserTotal[]> {
  return sql<UserTotal[]>`
    select user_id, sum(event_count)::float8 as events
    from user_minute_counts
    where site_id = ${query.site} and minute >= ${query.since}
    group by user_id
    order by events desc, user_id
    limit ${query.limit ?? 10}`;
}

export interface EventTypeTotal {
  event_type: string;
  events: number;
}

/** Events per type in [from, to), most first (ties by type). */
export async function eventTypeCounts(sql: Queryable, range: TimeRange): Promise<EventTypeTotal[]> {
  return sql<EventTypeTotal[]>`
    select event_type, sum(event_count)::float8 as events
    from user_minute_counts
    where site_id = ${range.site} and minute >= ${range.from} and minute < ${range.to}
    group by event_type
    order by events desc, event_type`;
}
