// The filters bar's state and its home, the URL query string: parse it (forgiving: anything
// malformed falls back to the default), write it back, and turn it into the API's ReportQuery.

import type { ExportReport, ReportQuery } from '../../shared/api-types';
import { DEFAULT_PRESET, isDay, isRangePreset, isTimeZone, resolveRange, type DayRange, type RangePreset } from './date-range';

export interface Filters {
  range: RangePreset;
  /** Only for `custom`: inclusive days. */
  from?: string;
  to?: string;
  /** Absent: the app picks one from /api/sites. */
  site?: string;
  tz: string;
  bots: boolean;
  event_type?: string;
  device?: string;
  country?: string;
  /** Rows per table (1–10 000; the API's default is 50). No control sets it: it comes from a shared link. */
  limit?: number;
}

/** Query-string keys the filters own; other keys (a page's own, e.g. funnel steps) are kept as they are. */
export const FILTER_KEYS = ['range', 'from', 'to', 'site', 'tz', 'bots', 'event_type', 'device', 'country', 'limit'] as const;

// The server accepts these characters in the filter values (report-query.ts FILTER).
const FILTER_VALUE = /^[A-Za-z0-9 _-]{1,64}$/;

function optionalValue(params: URLSearchParams, key: string): string | undefined {
  const v = params.get(key)?.trim();
  return v && FILTER_VALUE.test(v) ? v : undefined;
}

/** The filters of a query string (`?a=b…` or `a=b…`); `defaultTz` is used when tz is absent or unknown. */
export function parseFilters(search: string, defaultTz: string): Filters {
  const params = new URLSearchParams(search);
  const rangeParam = params.get('range') ?? '';
  let range: RangePreset = isRangePreset(rangeParam) ? rangeParam : DEFAULT_PRESET;
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  // `from`/`to` without `range` (a hand-written link) mean a custom range.
  if (!params.has('range') && isDay(from) && isDay(to)) range = 'custom';
  if (range === 'custom' && !(isDay(from) && isDay(to))) range = DEFAULT_PRESET;
  const tzParam = params.get('tz') ?? '';
  const site = params.get('site')?.trim();
  const country = optionalValue(params, 'country');
  const filters: Filters = {
    range,
    tz: isTimeZone(tzParam) ? tzParam : defaultTz,
    bots: params.get('bots') === 'include',
  };
  if (range === 'custom') {
    filters.from = from <= to ? from : to;
    filters.to = from <= to ? to : from;
  }
  if (site && site.length <= 128) filters.site = site;
  const eventType = optionalValue(params, 'event_type');
  if (eventType) filters.event_type = eventType;
  const device = optionalValue(params, 'device');
  if (device) filters.device = device;
  if (country) filters.country = country.toUpperCase();
  const limit = Number(params.get('limit'));
  if (Number.isInteger(limit) && limit >= 1 && limit <= 10_000) filters.limit = limit;
  return filters;
}

/**
 * `search` with the filter keys replaced by `filters` (range and tz always written, so a shared
 * link shows the same days to someone in another zone); other keys are kept. Returns `?…` or ''.
 */
export function writeFilters(search: string, filters: Filters): string {
  const params = new URLSearchParams(search);
  for (const key of FILTER_KEYS) params.delete(key);
  const out = new URLSearchParams();
  out.set('range', filters.range);
  if (filters.range === 'custom' && filters.from && filters.to) {
    out.set('from', filters.from);
    out.set('to', filters.to);
  }
  out.set('tz', filters.tz);
  if (filters.site) out.set('site', filters.site);
  if (filters.bots) out.set('bots', 'include');
  if (filters.event_type) out.set('event_type', filters.event_type);
  if (filters.device) out.set('device', filters.device);
  if (filters.country) out.set('country', filters.country);
  if (filters.limit) out.set('limit', String(filters.limit));
  for (const [k, v] of params) out.append(k, v);
  const s = out.toString();
  return s ? `?${s}` : '';
}

/** Replaces (or, with undefined/'', removes) one non-filter key of a query string. */
export function withParam(search: string, key: string, value: string | undefined): string {
  const params = new URLSearchParams(search);
  if (value === undefined || value === '') params.delete(key);
  else params.set(key, value);
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The site to show when the URL names none: `default` when it has data (or nothing has), else the first. */
export function defaultSite(siteIds: readonly string[]): string {
  return siteIds.length === 0 || siteIds.includes('default') ? 'default' : siteIds[0];
}

/** The report query of the filters at `now`, for `site`. */
export function reportQuery(filters: Filters, site: string, now: Date): ReportQuery {
  const days: DayRange = resolveRange(filters.range, filters.tz, now, { from: filters.from, to: filters.to });
  const q: ReportQuery = { site, from: days.from, to: days.to, tz: filters.tz };
  if (filters.bots) q.bots = 'include';
  if (filters.event_type) q.event_type = filters.event_type;
  if (filters.device) q.device = filters.device;
  if (filters.country) q.country = filters.country;
  if (filters.limit) q.limit = filters.limit;
  return q;
}

export type QueryValue = string | number | undefined;

/** `?k=v&…` of a query object, without undefined values, keys in a stable order (sorted). */
export function toQueryString(query: object): string {
  const params = new URLSearchParams();
  const entries = Object.entries(query as Record<string, QueryValue>).filter(([, v]) => v !== undefined && v !== '');
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, v] of entries) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** `/api/<path>?<query and extra>`. */
export function apiUrl(path: string, query: object, extra: Record<string, QueryValue> = {}): string {
  return `/api/${path}${toQueryString({ ...query, ...extra })}`;
}

/** The CSV download of a report with the same query as the table on screen. */
export function exportUrl(report: ExportReport, query: object, extra: Record<string, QueryValue> = {}): string {
  return apiUrl(`export/${report}.csv`, query, extra);
}
