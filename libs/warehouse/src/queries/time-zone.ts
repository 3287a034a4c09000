// Time-zone arithmetic for turning the API's local dates and times into instants, with ICU's time
// zone database (Intl): no PostgreSQL round trip, so a range can be checked before any query runs.
import { InvalidQueryError } from './errors';

const HOUR = 3_600_000;

/** IANA names (`Europe/Berlin`, `UTC`, `Etc/GMT+5`), not offsets or POSIX rules that PostgreSQL would read differently. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat | undefined {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      return undefined;
    }
    formatters.set(tz, f);
  }
  return f;
}

/**
 * Returns `tz` when it names a time zone, else throws InvalidQueryError. Checked against ICU's zone
 * database (the one behind `Intl.supportedValuesOf('timeZone')`, which lists only canonical names and
 * so leaves out `UTC` and `Asia/Kolkata`); a name PostgreSQL's database lacks is reported when a query
 * runs (see `queryError`).
 */
export function assertTimeZone(tz: unknown): string {
  if (typeof tz !== 'string' || !ZONE_NAME.test(tz) || tz.length > 64 || !formatter(tz)) {
    throw new InvalidQueryError('tz', `tz must be an IANA time zone name such as "UTC" or "Europe/Berlin", got ${JSON.stringify(tz)}`);
  }
  return tz;
}

/** The UTC offset of `tz` at instant `t`, in milliseconds (local − UTC; whole seconds). */
export function utcOffset(tz: string, t: number): number {
  const f = formatter(assertTimeZone(tz)) as Intl.DateTimeFormat;
  const part: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const p of f.formatToParts(new Date(t))) part[p.type] = Number(p.value);
  const wall = Date.UTC(part.year as number, (part.month as number) - 1, part.day, part.hour, part.minute, part.second);
  return wall - Math.floor(t / 1000) * 1000;
}

/**
 * The first instant at which the wall clock of `tz` reads `wall` or later (`wall` is the local time
 * written as if it were UTC, in ms). A local time that occurs twice (clocks set back) gives its first
 * occurrence; one that does not occur (clocks set forward) gives the instant of the jump — so a local
 * midnight is always the start of that local day.
 */
export function instantOfLocalTime(wall: number, tz: string): number {
  // The offsets in force around `wall`, as pieces [start, next start) of constant offset. Every UTC
  // offset (local mean times included) lies within ±16 h, so the clock shows `wall` within 16 h of
  // it; sampling that span hourly finds each change, which is then narrowed to the second.
  const lo = Math.floor((wall - 16 * HOUR) / 1000) * 1000;
  const pieces = [{ start: lo, offset: utcOffset(tz, lo) }];
  for (let t = lo + HOUR; t <= lo + 33 * HOUR; t += HOUR) {
    const offset = utcOffset(tz, t);
    const before = pieces[pieces.length - 1].offset;
    if (offset === before) continue;
    let a = t - HOUR;
    let b = t;
    while (b - a > 1000) {
      const m = a + Math.floor((b - a) / 2000) * 1000;
      if (utcOffset(tz, m) === before) a = m;
      else b = m;
    }
    pieces.push({ start: b, offset });
  }
  // Within a piece the wall clock reads t + offset; the first piece that reaches `wall` holds the answer.
  for (let i = 0; i < pieces.length; i++) {
    const t = Math.max(pieces[i].start, wall - pieces[i].offset);
    if (i + 1 === pieces.length || t < pieces[i + 1].start) return t;
  }
  throw new Error('unreachable: the last piece is open-ended');
}

/**
 * Whether every whole UTC hour in [from, to) lies within one local hour (and so one local day) of
 * `tz`: its UTC offset is a whole number of hours throughout and changes only at whole UTC hours.
 * True for UTC and zones like America/New_York; false for Asia/Kolkata or Australia/Lord_Howe's
 * half-hour summer time. The offset is sampled every 6 hours and each change narrowed to the second.
 */
export function wholeHourOffsets(tz: string, from: number, to: number): boolean {
  const start = Math.floor(from / 1000) * 1000;
  const last = Math.max(start, Math.ceil(to / 1000) * 1000 - 1000);
  let a = start;
  let before = utcOffset(tz, a);
  if (before % HOUR !== 0) return false;
  while (a < last) {
    const b = Math.min(a + 6 * HOUR, last);
    const offset = utcOffset(tz, b);
    if (offset !== before) {
      if (offset % HOUR !== 0) return false;
      let lo = a;
      let hi = b;
      while (hi - lo > 1000) {
        const m = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (utcOffset(tz, m) === before) lo = m;
        else hi = m;
      }
      if (hi % HOUR !== 0) return false;
      before = offset;
    }
    a = b;
  }
  return true;
}
