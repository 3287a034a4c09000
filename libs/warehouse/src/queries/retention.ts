// Weekly retention: users grouped by the week of their first session, and how many came back in each week after it.
import { InvalidQueryError } from './errors';
import { botFilter, onWholeLocalHours, resolveRange, sessionsFilter, withRangeErrors, type MetricRange, type Queryable, type ResolvedRange } from './range';
import { instantOfLocalTime, utcOffset } from './time-zone';

export const DEFAULT_RETENTION_WEEKS = 8;
export const MAX_RETENTION_WEEKS = 26;

const DAY = 86_400_000;

export interface CohortRetentionOptions {
  /** Weeks reported per cohort, the cohort's own week included: 1–26, default 8. */
  weeks?: number;
}

export interface RetentionRow {
  /** The cohort week's Monday, YYYY-MM-DD in the range's time zone. */
  cohort: string;
  /** Users whose first session started in that week. */
  users: number;
  /**
   * retained[k]: those users with a session starting in week k after the cohort's (retained[0] ===
   * users), for the weeks that had started by `to`: min(weeks, weeks begun before `to`) entries.
   */
  retained: number[];
  /** retained[k] ÷ users × 100, 2 decimals. */
  rates: number[];
}

/**
 * One row per cohort week, oldest first: the weeks (Monday to Sunday in the range's time zone)
 * from the one holding `from` to the one holding the last instant before `to`, that have users.
 * Only sessions starting before `to` are seen — the warehouse as it stood at `to` — so a user's
 * first session is their first before `to` (bots left out unless included, and filtered as in
 * MetricFilters), and a week that `to` cuts short counts its sessions up to `to`. Weeks are local
 * dates, so the week the clocks change in is a week like any other (167 or 169 hours). Without
 * filters, when the first cohort's Monday and `to` are whole UTC hours and the zone's days unions of
 * whole UTC hours, first sessions come from `users` and returns from `session_user_hour_sets`; same answers.
 */
export async function retention(sql: Queryable, range: MetricRange, options: CohortRetentionOptions = {}): Promise<RetentionRow[]> {
  const r = resolveRange(range);
  const weeks = options?.weeks ?? DEFAULT_RETENTION_WEEKS;
  if (typeof weeks !== 'number' || !Number.isInteger(weeks) || weeks < 1 || weeks > MAX_RETENTION_WEEKS) {
    throw new InvalidQueryError('weeks', `weeks must be an integer from 1 to ${MAX_RETENTION_WEEKS}, got ${JSON.stringify(weeks)}`);
  }
  // The first cohort's Monday and the instant it starts: sessions from then on are all a cohort can hold.
  const firstMonday = mondayOf(r.from.getTime(), r.tz);
  const windowStart = new Date(instantOfLocalTime(firstMonday, r.tz));
  if (windowStart >= r.to) return [];

  // cohorts: each cohort week's Monday and users (those whose first session is in the window and in
  // that week); returns: the users of each cohort with a session in each later week.
  const fromRollups = onWholeLocalHours({ ...r, from: windowStart });
  const rows = await withRangeErrors(r, () =>
    sql<Array<{ cohort: string; users: number; week: number; retained: number; rate: number }>>`
      with ${fromRollups ? returnsFromSets(sql, r, windowStart, weeks) : returnsFromSessions(sql, r, windowStart, weeks)}
      select to_char(k.cohort, 'YYYY-MM-DD') as cohort, k.users::float8 as users, x.week, x.retained::float8 as retained,
             round(100.0 * x.retained / k.users, 2)::float8 as rate
      from cohorts k
      join returns x on x.cohort = k.cohort
      order by k.cohort, x.week`,
  );

  const byCohort = new Map<string, RetentionRow>();
  for (const row of rows) {
    let cohort = byCohort.get(row.cohort);
    if (!cohort) {
      // weeks that have begun before `to` (the cohort's own always has); those with no returns stay 0
      const begun = Array.from({ length: weeks }, (_, k) => k).filter((k) => instantOfLocalTime(Date.parse(row.cohort) + 7 * k * DAY, r.tz) < r.to.getTime()).length;
      cohort = { cohort: row.cohort, users: row.users, retained: new Array<number>(begun).fill(0), rates: new Array<number>(begun).fill(0) };
      byCohort.set(row.cohort, cohort);
    }
    if (row.week < cohort.retained.length) {
      cohort.retained[row.week] = row.retained;
      cohort.rates[row.week] = row.rate;
    }
  }
  return [...byCohort.values()];
}

/**
 * Whole UTC hours without filters, in a zone whose days are unions of whole UTC hours: a user's first
 * session is their first_seen in `users` (per bot side, so the earliest of the sides included; one
 * before the window rules the user out, one at or after `to` means no session the range can see),
 * and a cohort's users are a set. The users with a session in each week (by the local day of each
 * hour) are the union of its hours' session_user_hour_sets, and a cohort's returns in a week are the
 * members both sets share: |a| + |b| − |a ∪ b|.
 */
function returnsFromSets(sql: Queryable, r: ResolvedRange, windowStart: Date, weeks: number) {
  return sql`
    -- users first seen in the window, from users_site_first_seen_idx alone; with bots included, the
    -- earlier of their sides, and neither before the window (by users_pkey)
    cohort_users as (
      select f.user_no, f.first_day - (extract(isodow from f.first_day)::int - 1) as cohort
      from (${
        r.bots
          ? sql`
        select u.user_no, (min(u.first_seen) at time zone ${r.tz})::date as first_day
        from users u
        where u.site_id = ${r.site} and u.first_seen >= ${windowStart} and u.first_seen < ${r.to}
        group by u.user_no, u.user_id
        having not exists (select 1 from users p where p.site_id = ${r.site} and p.user_id = u.user_id and p.first_seen < ${windowStart})`
          : sql`
        select u.user_no, (u.first_seen at time zone ${r.tz})::date as first_day
        from users u
        where u.site_id = ${r.site} and u.first_seen >= ${windowStart} and u.first_seen < ${r.to} and not u.is_bot`
      }) f
    ),
    cohorts as (select cohort, count(*) as users, user_set(array_agg(user_no)) as members from cohort_users group by cohort),
    week_sets as (
      select h.day - (extract(isodow from h.day)::int - 1) as monday, user_set_union(h.users) as active
      from (
        select (s.hour at time zone ${r.tz})::date as day, s.users
        from session_user_hour_sets s
        where s.site_id = ${r.site} and s.hour >= ${windowStart} and s.hour < ${r.to} ${botFilter(sql, r, 's')}
      ) h
      group by 1
    ),
    returns as (
      select * from (
        select c.cohort, (w.monday - c.cohort) / 7 as week,
               bit_count(c.members) + bit_count(w.active) - bit_count(user_set_or(c.members, w.active)) as retained
        from cohorts c
        join week_sets w on w.monday >= c.cohort and w.monday - c.cohort < 7 * ${weeks}::int
      ) x
      where retained > 0
    )`;
}

/**
 * From the sessions themselves (filters, or hours that are not whole UTC hours): a user's first
 * session is their first in the window with none before it, and returns are counted distinct.
 */
function returnsFromSessions(sql: Queryable, r: ResolvedRange, windowStart: Date, weeks: number) {
  return sql`
    window_sessions as (
      select s.user_id as user_key, (s.started_at at time zone ${r.tz})::date as day
      from sessions s
      where s.site_id = ${r.site} and s.started_at >= ${windowStart} and s.started_at < ${r.to} ${botFilter(sql, r, 's')} ${sessionsFilter(sql, r, 's')}
    ),
    -- users whose first session is in the window: none before it (by sessions_site_user_idx)
    cohort_users as (
      select w.user_key, min(w.day) - (extract(isodow from min(w.day))::int - 1) as cohort
      from window_sessions w
      group by w.user_key
      having not exists (
        select 1 from sessions p
        where p.site_id = ${r.site} and p.user_id = w.user_key and p.started_at < ${windowStart} ${botFilter(sql, r, 'p')} ${sessionsFilter(sql, r, 'p')}
      )
    ),
    cohorts as (select cohort, count(*) as users from cohort_users group by cohort),
    -- distinct (cohort, week, user) first, then counted: hashed, where count(distinct) would sort
    returns as (
      select cohort, week, count(*) as retained
      from (
        select distinct c.cohort, (w.day - c.cohort) / 7 as week, w.user_key
        from cohort_users c
        join window_sessions w on w.user_key = c.user_key
        where w.day - c.cohort < 7 * ${weeks}::int
      ) r
      group by 1, 2
    )`;
}

/** The Monday of the local week holding instant `t`, as a UTC midnight (the local date written as UTC). */
function mondayOf(t: number, tz: string): number {
  const local = new Date(t + utcOffset(tz, t));
  const day = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  return day - ((local.getUTCDay() + 6) % 7) * DAY;
}
