// How the dashboard writes figures: counts with thousands separators, durations as `1m 05s`,
// percentages, bytes, changes against the previous period, and instants in the chosen time zone.
// Fixed to en-US so the same figure reads the same everywhere (and in tests).

const LOCALE = 'en-US';
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });
const money = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const oneDecimal = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const upToOneDecimal = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });

export const MISSING = '—';

function isFiniteNumber(n: number | null | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

/** `12,345`; fractions kept up to 2 digits when the number has them. */
export function formatNumber(n: number | null | undefined): string {
  if (!isFiniteNumber(n)) return MISSING;
  return Number.isInteger(n) ? integer.format(n) : decimal.format(n);
}

/** `1,234.50` (the events carry their own currencies; the sum is shown without a symbol). */
export function formatMoney(n: number | null | undefined): string {
  return isFiniteNumber(n) ? money.format(n) : MISSING;
}

/** A rate already in percent (0–100): `42.5%`. */
export function formatPercent(n: number | null | undefined): string {
  return isFiniteNumber(n) ? `${oneDecimal.format(n)}%` : MISSING;
}

/** Seconds as `45s`, `1m 05s`, `2h 03m`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (!isFiniteNumber(seconds)) return MISSING;
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total}s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(s).padStart(2, '0')}s`;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** Bytes in binary units: `512 B`, `1.5 KB`, `12.3 MB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (!isFiniteNumber(bytes)) return MISSING;
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${oneDecimal.format(value)} ${BYTE_UNITS[unit]}`;
}

export type Trend = 'up' | 'down' | 'flat';

export interface Change {
  /** `+12.5%`, `−3.0%`, `0.0%`, or `new` when the previous period had none. */
  text: string;
  trend: Trend;
  /** Whether the change is good news (a higher bounce rate is not). */
  tone: 'good' | 'bad' | 'neutral';
}

/** The change from `previous` to `current` in percent of `previous`. */
export function formatChange(current: number, previous: number, higherIsBetter = true): Change {
  if (!isFiniteNumber(current) || !isFiniteNumber(previous)) return { text: MISSING, trend: 'flat', tone: 'neutral' };
  if (previous === 0) {
    if (current === 0) return { text: '0.0%', trend: 'flat', tone: 'neutral' };
    return { text: 'new', trend: current > 0 ? 'up' : 'down', tone: current > 0 === higherIsBetter ? 'good' : 'bad' };
  }
  const pct = ((current - previous) / Math.abs(previous)) * 100;
  const rounded = Math.round(pct * 10) / 10;
  if (rounded === 0) return { text: '0.0%', trend: 'flat', tone: 'neutral' };
  const trend: Trend = rounded > 0 ? 'up' : 'down';
  // U+2212 minus sign: the same width as the plus sign.
  const text = `${rounded > 0 ? '+' : '\u2212'}${oneDecimal.format(Math.abs(rounded))}%`;
  return { text, trend, tone: (trend === 'up') === higherIsBetter ? 'good' : 'bad' };
}

function parts(instant: Date, tz: string, options: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(LOCALE, { timeZone: tz, hourCycle: 'h23', ...options }).format(instant);
}

/** `Mar 5, 14:03:07` in `tz`. */
export function formatDateTime(iso: string, tz: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return parts(d, tz, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** `14:03:07` in `tz`. */
export function formatTime(iso: string, tz: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return parts(d, tz, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** `14:03` in `tz`. */
export function formatMinute(iso: string, tz: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return parts(d, tz, { hour: '2-digit', minute: '2-digit' });
}

/** A `YYYY-MM-DD` day (already counted in the report's zone) as `Mar 5`. */
export function formatDay(day: string): string {
  const d = new Date(`${day.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return parts(d, 'UTC', { month: 'short', day: 'numeric' });
}

/** A timeseries bucket: days as `Mar 5`, hours and minutes as `Mar 5, 14:00` in `tz`. */
export function formatBucket(t: string, interval: 'minute' | 'hour' | 'day', tz: string): string {
  if (interval === 'day' || /^\d{4}-\d{2}-\d{2}$/.test(t)) return formatDay(t);
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return t;
  return parts(d, tz, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** Compact axis ticks: `950`, `1.2k`, `3.4M`. */
export function formatCompact(n: number): string {
  if (!isFiniteNumber(n)) return '';
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${upToOneDecimal.format(n / 1e9)}B`;
  if (abs >= 1e6) return `${upToOneDecimal.format(n / 1e6)}M`;
  if (abs >= 1e3) return `${upToOneDecimal.format(n / 1e3)}k`;
  return decimal.format(n);
}
