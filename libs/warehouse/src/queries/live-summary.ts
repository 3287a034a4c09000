// The dashboard's live view for a site: today's events, the last minutes one by one, event types, the
// busiest users of the last hour and daily volume — from the live rollups (user_minute_counts), which
// count events as the stream consumer sees them, before the ETL, deduplication or the bot flag (the
// rollups have no is_bot column, so bot traffic is always included here).
import { InvalidQueryError } from './errors';
import { withRangeErrors, type Queryable } from './range';
import { assertTimeZone, instantOfLocalTime, utcOffset } from './time-zone';

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface LiveSummaryQuery {
  site: string;
  /** The instant the summary is for. */
  now: Date;
  /** IANA time zone of "today" and the volume days; default 'UTC'. */
  tz?: string;
  /** Minutes in per_minute, 1–1440; default 60. */
  minutes?: number;
  /** Users in top_users_last_hour, 1–100; default 5. */
  topUsers?: number;
  /** Days in volume, today included, 1–366; default 30. */
  days?: number;
}

export interface LiveSummary {
  /** Events of the site on the local day of `now`. */
  events_today: number;
  /** The last `minutes` minutes, the one holding `now` last, every one present (0 without events). */
  per_minute: Array<{ minute: string; events: number }>;
  /** Today's events per type, most first (ties by type). */
  by_type: Array<{ event_type: string; events: number }>;
  /** The users with the most events in the 60 minutes ending with the one holding `now` (ties by user_id). */
  top_users_last_hour: Array<{ user_id: string; events: number }>;
  /** The last `days` local days, today included, that have events or raw bytes, oldest first. */
  volume: Array<{ day: string; events: number; bytes: number }>;
}

/** The live summary of `query.site` at `query.now`; see LiveSummary for each figure. */
export async function liveSummary(sql: Queryable, query: LiveSummaryQuery): Promise<LiveSummary> {
  if (typeof query?.site !== 'string' || query.site === '') throw new InvalidQueryError('site', 'site must be a non-empty string');
  if (!(query.now instanceof Date) || Number.isNaN(query.now.getTime())) throw new InvalidQueryError('now', 'now must be a valid Date');
  const tz = assertTimeZone(query.tz ?? 'UTC');
  const minutes = count('minutes', query.minutes, 60, 1440);
  const topUsers = count('top_users', query.topUsers, 5, 100);
  const days = count('days', query.days, 30, 366);

  // Minute rows are stored at the start of their UTC minute, which is the local minute in every
  // zone of today's tz database (offsets are whole minutes).
  const now = query.now.getTime();
  const thisMinute = Math.floor(now / MINUTE) * MINUTE;
  const minutesFrom = new Date(thisMinute - (minutes - 1) * MINUTE);
  const hourFrom = new Date(thisMinute - 59 * MINUTE);
  const minutesTo = new Date(thisMinute + MINUTE);
  const local = new Date(now + utcOffset(tz, now));
  const today = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  const todayFrom = new Date(instantOfLocalTime(today, tz));
  const todayTo = new Date(instantOfLocalTime(today + DAY, tz));
  const volumeFrom = new Date(instantOfLocalTime(today - (days - 1) * DAY, tz));

  return withRangeErrors({ tz }, async () => {
    const [byType, perMinute, top, dailyEvents, hourlyBytes] = await Promise.all([
      sql<Array<{ event_type: string; events: number }>>`
        select event_type, sum(event_count)::float8 as events
        from user_minute_counts
        where site_id = ${query.site} and minute >= ${todayFrom} and minute < ${todayTo}
        group by event_type
        order by events desc, event_type collate "C"`,
      // every minute of the window, joined with the ones that have counts (user_minute_counts_site_minute_idx)
      sql<Array<{ minute: Date; events: number }>>`
        select m.minute, coalesce(c.events, 0)::float8 as events
        from generate_series(${minutesFrom}::timestamptz, ${new Date(thisMinute)}::timestamptz, interval '1 minute') as m(minute)
        left join (
          select minute, sum(event_count) as events
          from user_minute_counts
          where site_id = ${query.site} and minute >= ${minutesFrom} and minute < ${minutesTo}
          group by minute
        ) c on c.minute = m.minute
        order by m.minute`,
      sql<Array<{ user_id: string; events: number }>>`
        select user_id, sum(event_count)::float8 as events
        from user_minute_counts
        where site_id = ${query.site} and minute >= ${hourFrom} and minute < ${minutesTo}
        group by user_id
        order by events desc, user_id collate "C"
        limit ${topUsers}`,
      sql<Array<{ day: string; events: number }>>`
        select to_char(minute at time zone ${tz}, 'YYYY-MM-DD') as day, sum(event_count)::float8 as events
        from user_minute_counts
        where site_id = ${query.site} and minute >= ${volumeFrom} and minute < ${todayTo}
        group by 1`,
      // Raw bytes are not per site: the archive holds every site's events in the same objects, so
      // each day reports the bytes of all sites. An object counts on the local day of the UTC hour
      // in its key (raw/dt=YYYY-MM-DD/hour=HH/…), worked out below, where a key that names no real
      // hour is skipped rather than failing the query. LIKE and fixed positions cost a fraction of
      // a regular expression per key; the load manifest has no index that would serve a date range.
      sql<Array<{ dt: string; hour: string; bytes: number }>>`
        select substr(key, 8, 10) collate "C" as dt, substr(key, 24, 2) as hour, sum(bytes)::float8 as bytes
        from etl_objects
        where key like 'raw/dt=____-__-__/hour=__/%' and substr(key, 8, 10) collate "C" between ${utcDate(volumeFrom.getTime() - DAY)} and ${utcDate(todayTo.getTime() + DAY)}
        group by 1, 2`,
    ]);

    const volume = new Map<string, { day: string; events: number; bytes: number }>();
    const dayRow = (day: string) => {
      let row = volume.get(day);
      if (!row) volume.set(day, (row = { day, events: 0, bytes: 0 }));
      return row;
    };
    for (const row of dailyEvents) dayRow(row.day).events = row.events;
    for (const row of hourlyBytes) {
      // digits that make a real UTC hour, or the key is not one of the archive's
      const start = /^\d{4}-\d{2}-\d{2}$/.test(row.dt) && /^\d{2}$/.test(row.hour) ? Date.parse(`${row.dt}T${row.hour}:00:00Z`) : NaN;
      if (Number.isNaN(start) || new Date(start).toISOString().slice(0, 13) !== `${row.dt}T${row.hour}`) continue;
      if (start < volumeFrom.getTime() || start >= todayTo.getTime()) continue;
      dayRow(utcDate(start + utcOffset(tz, start))).bytes += row.bytes;
    }

    return {
      events_today: byType.reduce((sum, row) => sum + row.events, 0),
      per_minute: perMinute.map((row) => ({ minute: row.minute.toISOString(), events: row.events })),
      by_type: [...byType],
      top_users_last_hour: [...top],
      volume: [...volume.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)),
    };
  });
}

function count(field: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidQueryError(field, `${field} must be an integer from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

const utcDate = (t: number) => new Date(t).toISOString().slice(0, 10);
