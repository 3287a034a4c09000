// The date-range presets of the filters bar, resolved to the inclusive `YYYY-MM-DD` days the API
// takes, counted in the analyst's time zone (so "Today" in Tokyo is not "Today" in UTC).

export const RANGE_PRESETS = ['today', 'yesterday', 'last7', 'last30', 'this_month', 'last_month', 'custom'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

export const RANGE_LABELS: Record<RangePreset, string> = {
  today: 'Today',
  yesterday: 'Yesterday',
  last7: 'Last 7 days',
  last30: 'Last 30 days',
  this_month: 'This month',
  last_month: 'Last month',
  custom: 'Custom',
};

export const DEFAULT_PRESET: RangePreset = 'last7';

/** Inclusive first and last day, `YYYY-MM-DD`. */
export interface DayRange {
  from: string;
  to: string;
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar day written `YYYY-MM-DD`. */
export function isDay(value: string): boolean {
  const m = DAY_RE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

export function isRangePreset(value: string): value is RangePreset {
  return (RANGE_PRESETS as readonly string[]).includes(value);
}

/** `YYYY-MM-DD` of `instant` in `tz`. */
export function dayIn(instant: Date, tz: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/** `day` moved by `days` calendar days (calendar arithmetic: no zone, no DST). */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included (1 for a single day). */
export function rangeDays(range: DayRange): number {
  return Math.round((Date.parse(`${range.to}T00:00:00Z`) - Date.parse(`${range.from}T00:00:00Z`)) / 86_400_000) + 1;
}

/**
 * The days a preset covers at `now` in `tz`. `custom` uses the given days (swapped when given
 * backwards) and falls back to the default preset when they are missing or malformed.
 */
export function resolveRange(preset: RangePreset, tz: string, now: Date, custom?: Partial<DayRange>): DayRange {
  const today = dayIn(now, tz);
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case 'yesterday': {
      const y = addDays(today, -1);
      return { from: y, to: y };
    }
    case 'last7':
      return { from: addDays(today, -6), to: today };
    case 'last30':
      return { from: addDays(today, -29), to: today };
    case 'this_month':
      return { from: `${today.slice(0, 8)}01`, to: today };
    case 'last_month': {
      const lastOfPrevious = addDays(`${today.slice(0, 8)}01`, -1);
      return { from: `${lastOfPrevious.slice(0, 8)}01`, to: lastOfPrevious };
    }
    case 'custom': {
      const { from, to } = custom ?? {};
      if (!from || !to || !isDay(from) || !isDay(to)) return resolveRange(DEFAULT_PRESET, tz, now);
      return from <= to ? { from, to } : { from: to, to: from };
    }
  }
}

export type Interval = 'minute' | 'hour' | 'day';

/** The timeseries bucket for a range: hourly up to two days, else daily. */
export function intervalFor(range: DayRange): Interval {
  return rangeDays(range) <= 2 ? 'hour' : 'day';
}

/** True when `tz` is an IANA zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  if (!tz || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Zones offered in the selector; the browser's own and the current one are added when missing. */
export const COMMON_TIME_ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Madrid',
  'Europe/Moscow',
  'Africa/Johannesburg',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Auckland',
  'America/Sao_Paulo',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
] as const;

/** The selector's zones: the common ones plus `extra` (browser's, current), without duplicates. */
export function timeZoneOptions(...extra: (string | undefined)[]): string[] {
  const zones: string[] = [...COMMON_TIME_ZONES];
  for (const z of extra) if (z && !zones.includes(z)) zones.push(z);
  return zones;
}
