// The range every metric is asked for — a site, [from, to) as instants, the time zone that days and
// buckets are counted in, whether bot traffic is included and which sessions or events it is
// narrowed to — and how the API's `from`/`to` strings become one.
import type { PendingQuery, Row, Sql, TransactionSql } from 'postgres';
import { InvalidQueryError } from './errors';
import { assertTimeZone, instantOfLocalTime, wholeHourOffsets } from './time-zone';

export type Queryable = Sql | TransactionSql;

export interface MetricRange {
  site: string;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  /** IANA time zone that days (and hour and minute buckets) are counted in; default 'UTC'. */
  tz?: string;
  /** Include rows flagged is_bot; default false (bots are left out of every metric). */
  bots?: boolean;
  /** Narrow the metrics to some sessions or events; see MetricFilters. */
  filters?: MetricFilters;
}

/**
 * What the API's `event_type`, `device` and `country` parameters narrow a metric to. A session is a
 * row of the sessions model (site_id, session_id, is_bot), so its device type and country are those
 * of its first event; events, page views and orders belong to the session of the same site_id,
 * session_id and bot side (an order to the session of its first purchase event).
 *
 * - `deviceType`, `country`: every figure of every query counts only what belongs to sessions whose
 *   `sessions.device_type` / `sessions.country` equals the value (case-sensitive) — whatever the
 *   device or country of each event. So: overview events, page views and users from those sessions'
 *   events in the range, its sessions (average duration, bounce rate) among those sessions, its
 *   revenue from their orders; pages and scrollDepth from their page views (and scroll events);
 *   clicks from their click and page_view events; sessionsDaily, and timeseries `sessions`, among
 *   them; timeseries `events`/`page_views`/`users` from their events and `orders`/`revenue` from
 *   their orders; revenue (totals, days, products, payment methods) from their orders and order
 *   lines (a product keeps its latest name from any order line); eventTypeTotals from their events;
 *   breakdown events and users from their events (grouped by each event's own value) and sessions
 *   among them; funnel and retention consider those sessions only (retention: a user's first session
 *   is the first such session).
 * - `eventType`: event counts count only events of that type — overview `events` and `users` (users
 *   with such an event in the range), eventTypeTotals (one row at most), timeseries `events` and
 *   `users`, breakdown `events` and `users`. Session figures count only the sessions having at least
 *   one event of that type, at any time in the session: overview `sessions`, average duration and
 *   bounce rate, sessionsDaily, timeseries `sessions`, breakdown `sessions`, funnel (the sessions that
 *   can enter step 1) and retention (the sessions that make a cohort and count as a return). Figures
 *   that are by definition about one event type or about orders — overview `page_views` and
 *   `revenue`, timeseries `page_views`, `orders` and `revenue`, pages, clicks, scrollDepth, revenue —
 *   are not changed by it.
 *
 * The hour-grain tables lack these columns, so a filtered query reads the raw-grain models (sessions,
 * page_views, orders, order_items) or `events`, and a filter only adds conditions (semi-joins on the
 * sessions primary key or events_site_session_time_idx); without filters nothing is added to a
 * statement. (Event counts and users read `event_counts_hourly` and `user_hour_sets` instead of
 * `events`; clicks, scrollDepth and pages the click, scroll and page hour tables, `page_user_days`
 * and `page_user_hours`; session figures `session_metrics_daily` and `session_user_hour_sets`
 * (retention `users` and `session_user_hours`) instead of `sessions`; overview and timeseries
 * revenue and orders, and revenue's totals and days, `revenue_daily` instead of `orders`; and
 * breakdown `event_dimension_hourly`, `dimension_user_days`, `dimension_user_hours` and
 * `session_dimension_hourly` instead of `events` and `sessions` — when the range allows it: see
 * `onWholeHours`.) Filters combine with the bots choice.
 */
export interface MetricFilters {
  /** `^[a-z_]{1,32}$`; InvalidQueryError field `event_type`. */
  eventType?: string;
  /** `^[A-Za-z0-9 _-]{1,64}$`; InvalidQueryError field `device`. */
  deviceType?: string;
  /** `^[A-Za-z0-9 _-]{1,64}$`; InvalidQueryError field `country`. */
  country?: string;
}

/** A MetricRange checked and with its defaults filled in. */
export interface ResolvedRange {
  site: string;
  from: Date;
  to: Date;
  tz: string;
  bots: boolean;
  /** Only the filters that are set. */
  filters: MetricFilters;
}

export interface ListOptions {
  /** Rows to return, 1–10 000; default 50. */
  limit?: number;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 10_000;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

/**
 * The instants of the API's `from`/`to` in `tz`: a date (`YYYY-MM-DD`) is a whole local day, `to`
 * included, so `from` is the start of its day and `to` the start of the day after; a datetime
 * (`YYYY-MM-DDTHH:MM[:SS[.mmm]]`) is local time in `tz` unless it carries `Z` or an offset, and `to`
 * is exclusive. Throws InvalidQueryError (field `tz`, `from` or `to`) for a bad zone, a malformed or
 * impossible date, or `to` not after `from`.
 */
export function rangeFromDates(from: string, to: string, tz = 'UTC'): { from: Date; to: Date; tz: string } {
  const zone = assertTimeZone(tz);
  const start = instantOf('from', from, zone, false);
  const end = instantOf('to', to, zone, true);
  if (end <= start) throw new InvalidQueryError('to', `to (${to}) must be after from (${from})`);
  return { from: new Date(start), to: new Date(end), tz: zone };
}

function instantOf(field: 'from' | 'to', value: unknown, tz: string, dayAfter: boolean): number {
  const text = typeof value === 'string' ? value.trim() : '';
  const date = DATE.exec(text);
  const time = date ? undefined : DATETIME.exec(text);
  const m = date ?? time;
  if (!m) {
    throw new InvalidQueryError(field, `${field} must be a date (YYYY-MM-DD) or a datetime (YYYY-MM-DDTHH:MM[:SS[.mmm]][Z|±HH:MM]), got ${JSON.stringify(value)}`);
  }
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  const ms = Number((m[7] ?? '').padEnd(3, '0'));
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (year < 1000 || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    throw new InvalidQueryError(field, `${field} is not a calendar date: ${JSON.stringify(value)}`);
  }
  if (hour > 23 || minute > 59 || second > 59) throw new InvalidQueryError(field, `${field} is not a time of day: ${JSON.stringify(value)}`);

  // A date: local midnight, of the next day for an inclusive `to`.
  if (date) return instantOfLocalTime(Date.UTC(year, month - 1, day + (dayAfter ? 1 : 0)), tz);

  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const zone = m[8];
  if (zone === undefined) return instantOfLocalTime(wall, tz);
  if (zone === 'Z' || zone === 'z') return wall;
  const [, sign, hh, mm] = /^([+-])(\d{2}):?(\d{2})$/.exec(zone) as RegExpExecArray;
  if (Number(hh) > 23 || Number(mm) > 59) throw new InvalidQueryError(field, `${field} has an impossible UTC offset: ${JSON.stringify(value)}`);
  return wall - (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm)) * 60_000;
}

/** Checks a MetricRange and fills in its defaults; throws InvalidQueryError. */
export function resolveRange(range: MetricRange): ResolvedRange {
  if (typeof range?.site !== 'string' || range.site === '') throw new InvalidQueryError('site', 'site must be a non-empty string');
  for (const field of ['from', 'to'] as const) {
    const value: unknown = range[field];
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new InvalidQueryError(field, `${field} must be a valid Date`);
  }
  if (range.to < range.from) throw new InvalidQueryError('to', 'to must not be before from');
  if (range.bots !== undefined && typeof range.bots !== 'boolean') throw new InvalidQueryError('bots', 'bots must be a boolean');
  return { site: range.site, from: range.from, to: range.to, tz: assertTimeZone(range.tz ?? 'UTC'), bots: range.bots ?? false, filters: resolveFilters(range.filters) };
}

const FILTER_RULES = [
  { key: 'eventType', field: 'event_type', pattern: /^[a-z_]{1,32}$/, says: '1 to 32 lower-case letters or underscores' },
  { key: 'deviceType', field: 'device', pattern: /^[A-Za-z0-9 _-]{1,64}$/, says: '1 to 64 letters, digits, spaces, underscores or hyphens' },
  { key: 'country', field: 'country', pattern: /^[A-Za-z0-9 _-]{1,64}$/, says: '1 to 64 letters, digits, spaces, underscores or hyphens' },
] as const;

function resolveFilters(filters: unknown): MetricFilters {
  if (filters === undefined) return {};
  if (typeof filters !== 'object' || filters === null || Array.isArray(filters)) throw new InvalidQueryError('filters', 'filters must be an object');
  const resolved: MetricFilters = {};
  for (const { key, field, pattern, says } of FILTER_RULES) {
    const value: unknown = (filters as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !pattern.test(value)) throw new InvalidQueryError(field, `${field} must be ${says}, got ${JSON.stringify(value)}`);
    resolved[key] = value;
  }
  return resolved;
}

/** The range of the same length that ends where this one starts. */
export function previousRange(range: ResolvedRange): ResolvedRange {
  const length = range.to.getTime() - range.from.getTime();
  return { ...range, from: new Date(range.from.getTime() - length), to: range.from };
}

/** A list limit: an integer 1–MAX_LIMIT, DEFAULT_LIMIT when absent. */
export function resolveLimit(limit: unknown): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new InvalidQueryError('limit', `limit must be an integer from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limit)}`);
  }
  return limit;
}

/** One of `allowed`, or InvalidQueryError naming `field`. */
export function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new InvalidQueryError(field, `${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

const HOUR_MS = 3_600_000;

/**
 * Whether event counts and users for the range can be read from the hour-grain event tables
 * (`event_counts_hourly`, `user_hour_sets`) instead of `events`; clicks, scroll depth and page
 * engagement from `click_through_daily`, `scroll_depth_daily`, `page_engagement_daily`,
 * `page_user_days` and `page_user_hours` instead of `events` and `page_views`; session figures from
 * `session_metrics_daily` and `session_user_hour_sets` (retention `session_user_hours`) instead of
 * `sessions`; orders and revenue from `revenue_daily` instead of `orders`; and breakdowns from
 * `event_dimension_hourly`, `dimension_user_days`, `dimension_user_hours` and
 * `session_dimension_hourly` instead of `events` and `sessions`: the
 * range starts and ends on whole UTC hours (any date range in UTC or a whole-hour zone) and no
 * filter is set (those tables have no session attributes). Figures bucketed by local hour or day
 * also need the zone's hours to be whole UTC hours (`onWholeLocalHours`). The answers are the same
 * either way (duration sums are exact numerics in the hour tables); only the cost differs.
 */
export function onWholeHours(range: ResolvedRange): boolean {
  const { eventType, deviceType, country } = range.filters;
  if (eventType !== undefined || deviceType !== undefined || country !== undefined) return false;
  return range.from.getTime() % HOUR_MS === 0 && range.to.getTime() % HOUR_MS === 0;
}

/**
 * onWholeHours, and buckets of local hours or days are unions of whole UTC hours throughout the
 * range (the zone's offset is a whole number of hours): what figures bucketed by local hour or day
 * need to be read from the hour-grain tables.
 */
export function onWholeLocalHours(range: ResolvedRange): boolean {
  return onWholeHours(range) && wholeHourOffsets(range.tz, range.from.getTime(), range.to.getTime());
}

/** `and not is_bot` unless bots are included: every model row and event carries the flag. */
export function botFilter(sql: Queryable, range: ResolvedRange, table?: string): PendingQuery<Row[]> {
  if (range.bots) return sql``;
  return table ? sql`and not ${sql(table)}.is_bot` : sql`and not is_bot`;
}

/**
 * For a table whose rows belong to a session (events, page_views, orders: site_id, session_id,
 * is_bot), `and` only the rows of sessions with the filtered device type and country — through the
 * sessions primary key. Empty without those filters.
 */
export function inFilteredSessions(sql: Queryable, range: ResolvedRange, table: string): PendingQuery<Row[]> {
  const { deviceType, country } = range.filters;
  if (deviceType === undefined && country === undefined) return sql``;
  const t = sql(table);
  return sql`and exists (
    select 1 from sessions fs
    where fs.site_id = ${t}.site_id and fs.session_id = ${t}.session_id and fs.is_bot = ${t}.is_bot
      ${deviceType === undefined ? sql`` : sql`and fs.device_type = ${deviceType}`}
      ${country === undefined ? sql`` : sql`and fs.country = ${country}`}
  )`;
}

/**
 * For the sessions model (as `table`): `and` only the sessions with the filtered device type and
 * country that have at least one event of the filtered type (at any time; through
 * events_site_session_time_idx). Empty without filters.
 */
export function sessionsFilter(sql: Queryable, range: ResolvedRange, table: string): PendingQuery<Row[]> {
  const { eventType, deviceType, country } = range.filters;
  if (eventType === undefined && deviceType === undefined && country === undefined) return sql``;
  const t = sql(table);
  return sql`
    ${deviceType === undefined ? sql`` : sql`and ${t}.device_type = ${deviceType}`}
    ${country === undefined ? sql`` : sql`and ${t}.country = ${country}`}
    ${
      eventType === undefined
        ? sql``
        : sql`and exists (
            select 1 from events fe
            where fe.site_id = ${t}.site_id and fe.session_id = ${t}.session_id and fe.is_bot = ${t}.is_bot and fe.event_type = ${eventType}
          )`
    }`;
}

/** For event counts: `and` only events of the filtered type (unqualified `event_type`). Empty without it. */
export function eventTypeFilter(sql: Queryable, range: ResolvedRange): PendingQuery<Row[]> {
  return range.filters.eventType === undefined ? sql`` : sql`and event_type = ${range.filters.eventType}`;
}

/**
 * Runs a query, reporting a time zone that passed the ICU check but that PostgreSQL does not know
 * (its zone database can be older or newer) as InvalidQueryError rather than a server error.
 */
export async function withRangeErrors<T>(range: Pick<ResolvedRange, 'tz'>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
    if (code === '22023' && typeof message === 'string' && /time zone .* not recognized/.test(message)) {
      throw new InvalidQueryError('tz', `tz ${JSON.stringify(range.tz)} is not a time zone the database knows`);
    }
    throw err;
  }
}
