// The dashboard's live view for a site: today's events, the last minutes one by one, event types, the
// busiest users of the last hour and daily volume — from the live rollups (user_minute_counts and its
// hourly sums, live_hour_counts), which count events as the stream consumer sees them, before the ETL,
// deduplication or the bot flag (the rollups have no is_bot column, so bot traffic is always included
// here). Today's events, its event types and the volume days' events read the hour rows (summed over
// their slots) for every whole UTC hour, and the minute rows only for the hours a local day starts or
// ends in mid-hour (zones like Asia/Kolkata, +05:30) or whose UTC offset changes mid-hour, so their
// cost follows hours rather than minutes and users. The last minutes and the last hour's users are
// read from the minute rows.
import { InvalidQueryError } from './errors';
import { withRangeErrors, type Queryable } from './range';
import { assertTimeZone, instantOfLocalTime, utcOffset } from './time-zone';

const MINUTE = 60_000;
const HOUR = 3_600_000;
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

  const todaySpan = hourSpan(todayFrom.getTime(), todayTo.getTime());
  const volumeSpan = hourSpan(volumeFrom.getTime(), todayTo.getTime());

  // The minute rows of some pieces of hours [lo, hi) (each within one UTC hour, lo its first minute),
  // probed minute by minute on (site_id, minute). Equality keeps the planner's row estimate close: a
  // join on the pieces' bounds is estimated at a large share of the table, which makes it scan the
  // whole table or spend seconds on JIT compilation.
  const minuteRows = (pieces: MinutePieces) => sql`
    unnest(${pieces.lo}::timestamptz[], ${pieces.hi}::timestamptz[]) as r(lo, hi)
    cross join generate_series(0, 59) as k
    join user_minute_counts m on m.site_id = ${query.site} and m.minute = r.lo + k * interval '1 minute'
    where r.lo + k * interval '1 minute' < r.hi`;

  // Events per volume day. Each minute counts on its local date in PostgreSQL's reading of tz. An
  // hour row stands for its minutes when they all have one local date: the first and last minute of
  // the hour have the same date and the wall clock runs on 59 minutes between them (no offset change
  // inside the hour, so no minute in between has another date). The other hours (a local midnight
  // inside, or an offset change at other than a whole hour) are read from the minute rows, as are the
  // edges of the range. Every hour with minute rows has hour rows (applyMinuteCounts writes both,
  // migration 0004 filled them in), so the hours to split are found among the hour rows. Two round
  // trips, so that the second one's pieces are known to the planner.
  const dailyEvents = async (): Promise<Map<string, number>> => {
    const byDay = await sql<Array<{ day: string; one_day: boolean; events: number; hours: Date[] }>>`
      select day, one_day, sum(n)::float8 as events, array_agg(hour order by hour) as hours
      from (
        select hour, sum(event_count) as n,
          to_char(hour at time zone ${tz}, 'YYYY-MM-DD') as day,
          to_char((hour + interval '59 minutes') at time zone ${tz}, 'YYYY-MM-DD') = to_char(hour at time zone ${tz}, 'YYYY-MM-DD')
            and (hour + interval '59 minutes') at time zone ${tz} = (hour at time zone ${tz}) + interval '59 minutes' as one_day
        from live_hour_counts
        where site_id = ${query.site} and hour >= ${volumeSpan.hoursFrom} and hour < ${volumeSpan.hoursTo}
        group by hour
      ) hours
      group by day, one_day`;
    const events = new Map<string, number>();
    const add = (day: string, n: number) => events.set(day, (events.get(day) ?? 0) + n);
    const pieces: MinutePieces = { lo: [...volumeSpan.edges.lo], hi: [...volumeSpan.edges.hi] };
    for (const row of byDay) {
      if (row.one_day) add(row.day, row.events);
      else {
        for (const hour of row.hours) {
          pieces.lo.push(hour.toISOString());
          pieces.hi.push(new Date(hour.getTime() + HOUR).toISOString());
        }
      }
    }
    if (pieces.lo.length > 0) {
      // summed per minute first: one time zone conversion per minute rather than per user and type
      const minutes = await sql<Array<{ day: string; events: number }>>`
        select to_char(minute at time zone ${tz}, 'YYYY-MM-DD') as day, sum(n)::float8 as events
        from (select m.minute, sum(m.event_count) as n from ${minuteRows(pieces)} group by m.minute) per_minute
        group by 1`;
      for (const row of minutes) add(row.day, row.events);
    }
    return events;
  };

  return withRangeErrors({ tz }, async () => {
    const [byType, perMinute, top, eventsPerDay, hourlyBytes] = await Promise.all([
      // the whole hours of today from the hour rows (summed over slots), the edges from the minute rows
      sql<Array<{ event_type: string; events: number }>>`
        select event_type, sum(n)::float8 as events
        from (
          select event_type, sum(event_count) as n
          from live_hour_counts
          where site_id = ${query.site} and hour >= ${todaySpan.hoursFrom} and hour < ${todaySpan.hoursTo}
          group by event_type
          union all
          select m.event_type, sum(m.event_count)
          from ${minuteRows(todaySpan.edges)}
          group by m.event_type
        ) parts
        group by event_type
        order by events desc, event_type collate "C"`,
      // every minute of the window, joined with the ones that have counts (read by user_minute_counts_pkey)
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
      dailyEvents(),
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
    for (const [day, events] of eventsPerDay) dayRow(day).events = events;
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

/** Pieces of UTC hours, as parallel arrays of ISO instants: `lo` a piece's first minute, `hi` its exclusive end. */
interface MinutePieces {
  lo: string[];
  hi: string[];
}

/**
 * [from, to) as the whole UTC hours inside it, [hoursFrom, hoursTo) (empty when none), and the at
 * most two pieces before and after them that only minute rows can answer, as `edges` (a piece's
 * first minute is the first minute start at or after its start, as minute rows are stored at the
 * start of their minute). Each piece lies within one UTC hour, so it holds at most 60 minutes.
 */
function hourSpan(from: number, to: number): { hoursFrom: Date; hoursTo: Date; edges: MinutePieces } {
  const hoursFrom = Math.ceil(from / HOUR) * HOUR;
  const hoursTo = Math.max(hoursFrom, Math.floor(to / HOUR) * HOUR);
  const edges = [
    [from, Math.min(hoursFrom, to)],
    [Math.max(hoursTo, from), to],
  ].filter(([lo, hi]) => lo < hi);
  return {
    hoursFrom: new Date(hoursFrom),
    hoursTo: new Date(hoursTo),
    edges: { lo: edges.map(([lo]) => new Date(Math.ceil(lo / MINUTE) * MINUTE).toISOString()), hi: edges.map(([, hi]) => new Date(hi).toISOString()) },
  };
}

function count(field: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidQueryError(field, `${field} must be an integer from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

const utcDate = (t: number) => new Date(t).toISOString().slice(0, 10);
