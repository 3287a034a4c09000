// The range every metric is asked for — a site, [from, to) as instants, the time zone that days and
// buckets are counted in, and whether bot traffic is included — and how the API's `from`/`to`
// strings become one.
import type { PendingQuery, Row, Sql, TransactionSql } from 'postgres';
import { InvalidQueryError } from './errors';
import { assertTimeZone, instantOfLocalTime } from './time-zone';

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
}

/** A MetricRange checked and with its defaults filled in. */
export interface ResolvedRange {
  site: string;
  from: Date;
  to: Date;
  tz: string;
  bots: boolean;
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
  return { site: range.site, from: range.from, to: range.to, tz: assertTimeZone(range.tz ?? 'UTC'), bots: range.bots ?? false };
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

/** `and not is_bot` unless bots are included: every model row and event carries the flag. */
export function botFilter(sql: Queryable, range: ResolvedRange, table?: string): PendingQuery<Row[]> {
  if (range.bots) return sql``;
  return table ? sql`and not ${sql(table)}.is_bot` : sql`and not is_bot`;
}

/**
 * Runs a query, reporting a time zone that passed the ICU check but that PostgreSQL does not know
 * (its zone database can be older or newer) as InvalidQueryError rather than a server error.
 */
export async function withRangeErrors<T>(range: ResolvedRange, run: () => Promise<T>): Promise<T> {
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
