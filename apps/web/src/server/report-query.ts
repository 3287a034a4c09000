// The query string every report endpoint takes (site, from, to, tz, bots, filters, limit): its JSON
// Schema for validation and the OpenAPI page, and how it becomes a warehouse MetricRange.

import { assertTimeZone, InvalidQueryError, rangeFromDates, type MetricRange } from '@clickstream/warehouse';
import { Type, type Static, type TProperties } from '@sinclair/typebox';

export const DEFAULT_SITE = 'default';
export const DEFAULT_DAYS = 7;

/** A site id as WRITE_KEYS names it (apps/ingest config), or `default`. */
export const SITE_PATTERN = '^[A-Za-z0-9_.-]{1,128}$';

// The values libs/warehouse accepts for its filters (range.ts).
const EVENT_TYPE = '^[a-z_]{1,32}$';
const FILTER = '^[A-Za-z0-9 _-]{1,64}$';

export const ReportQuerySchema = Type.Object({
  site: Type.Optional(Type.String({ pattern: SITE_PATTERN, description: `site id; default "${DEFAULT_SITE}"` })),
  from: Type.Optional(Type.String({ description: 'first day (YYYY-MM-DD, inclusive) or instant (datetime); default 6 days before `to`' })),
  to: Type.Optional(Type.String({ description: 'last day (YYYY-MM-DD, inclusive) or instant (datetime, exclusive); default today in tz' })),
  tz: Type.Optional(Type.String({ maxLength: 64, description: 'IANA time zone that days are counted in; default UTC' })),
  bots: Type.Optional(Type.Union([Type.Literal('include'), Type.Literal('exclude')], { description: 'include bot traffic; default exclude' })),
  event_type: Type.Optional(Type.String({ pattern: EVENT_TYPE, description: 'only events of this type' })),
  device: Type.Optional(Type.String({ pattern: FILTER, description: 'only sessions on this device type' })),
  country: Type.Optional(Type.String({ pattern: FILTER, description: 'only sessions from this country code' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'rows to return; default 50' })),
});
export type ReportQuery = Static<typeof ReportQuerySchema>;

/** The report query plus the endpoint's own parameters. */
export function reportQuery<P extends TProperties>(extra: P) {
  return Type.Object({ ...ReportQuerySchema.properties, ...extra });
}

/** `YYYY-MM-DD` of `instant` in `tz`. */
export function localDate(instant: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  // Only the default `from` is computed here, from `to`: a `to` that is no date is the client's error.
  if (Number.isNaN(d.getTime())) throw new InvalidQueryError('to', 'to must be a date (YYYY-MM-DD) or a datetime');
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The MetricRange of a report query; throws InvalidQueryError (→ 400) for a bad zone or dates. */
export function toMetricRange(query: ReportQuery, now: Date = new Date()): MetricRange {
  const tz = assertTimeZone(query.tz ?? 'UTC');
  const to = query.to ?? localDate(now, tz);
  // Default: the DEFAULT_DAYS days that end with `to` (a date is inclusive, a datetime exclusive).
  const from = query.from ?? (/^\d{4}-\d{2}-\d{2}$/.test(to) ? addDays(to, -(DEFAULT_DAYS - 1)) : addDays(to.slice(0, 10), -DEFAULT_DAYS));
  const range = rangeFromDates(from, to, tz);
  const filters = {
    ...(query.event_type ? { eventType: query.event_type } : {}),
    ...(query.device ? { deviceType: query.device } : {}),
    ...(query.country ? { country: query.country } : {}),
  };
  return {
    site: query.site ?? DEFAULT_SITE,
    from: range.from,
    to: range.to,
    tz: range.tz,
    bots: query.bots === 'include',
    ...(Object.keys(filters).length > 0 ? { filters } : {}),
  };
}
