// Every table the dashboard shows, as one function from a validated query to rows: the JSON
// routes and the CSV exports both read them, so an export is exactly the table on screen.

import {
  BREAKDOWN_DIMENSIONS,
  breakdown,
  clicks,
  eventTypeTotals,
  funnel,
  pages,
  parseFunnelSteps,
  retention,
  revenue,
  scrollDepth,
  sessionsDaily,
  TIMESERIES_INTERVALS,
  TIMESERIES_METRICS,
  timeseries,
  topUsers,
  type BreakdownDimension,
  type TimeseriesInterval,
  type TimeseriesMetric,
} from '@clickstream/warehouse';
import { HttpError } from '@clickstream/runtime';
import { Type } from '@sinclair/typebox';
import type { Sql } from 'postgres';
import type { ExportReport } from '../shared/api-types';
import { DEFAULT_SITE, toMetricRange, type ReportQuery } from './report-query';

export interface ReportContext {
  sql: Sql;
  now: () => Date;
}

/** The query string of any report: the common part plus each report's own parameters. */
export type AnyReportQuery = ReportQuery & {
  metric?: string;
  interval?: string;
  dimension?: string;
  steps?: string;
  weeks?: number;
  window?: string;
};

export const ReportParams = {
  timeseries: {
    metric: Type.Optional(Type.Union(TIMESERIES_METRICS.map((m) => Type.Literal(m)), { description: 'default events' })),
    interval: Type.Optional(Type.Union(TIMESERIES_INTERVALS.map((i) => Type.Literal(i)), { description: 'default day' })),
  },
  breakdown: {
    dimension: Type.Union(BREAKDOWN_DIMENSIONS.map((d) => Type.Literal(d))),
  },
  funnel: {
    steps: Type.String({ minLength: 1, maxLength: 2000, description: 'comma-separated steps: event_type or event_type:value (2 to 8)' }),
  },
  retention: {
    weeks: Type.Optional(Type.Integer({ minimum: 1, maximum: 26, description: 'weeks shown per cohort, the cohort week included; default 8' })),
  },
  usersTop: {
    window: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}[mhd]$', description: 'how far back from now: 15m, 1h, 24h, 7d; default 1h' })),
  },
};

const WINDOW_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function windowMs(window = '1h'): number {
  const unit = window.slice(-1) as keyof typeof WINDOW_MS;
  const ms = Number(window.slice(0, -1)) * WINDOW_MS[unit];
  if (!Number.isFinite(ms) || ms <= 0 || ms > 90 * 86_400_000) throw new HttpError(400, 'invalid_query', 'window must be like 15m, 1h, 24h or 7d (at most 90 days)');
  return ms;
}

export async function usersTop(ctx: ReportContext, query: AnyReportQuery) {
  const since = new Date(ctx.now().getTime() - windowMs(query.window));
  return topUsers(ctx.sql, { site: query.site ?? DEFAULT_SITE, since, limit: query.limit ?? 50 });
}

export async function timeseriesRows(ctx: ReportContext, query: AnyReportQuery) {
  return timeseries(ctx.sql, toMetricRange(query, ctx.now()), {
    metric: (query.metric ?? 'events') as TimeseriesMetric,
    interval: (query.interval ?? 'day') as TimeseriesInterval,
  });
}

export async function funnelRows(ctx: ReportContext, query: AnyReportQuery) {
  if (!query.steps) throw new HttpError(400, 'invalid_query', 'steps is required, e.g. steps=page_view:/,click:signup,purchase', [{ field: 'steps' }]);
  return funnel(ctx.sql, toMetricRange(query, ctx.now()), parseFunnelSteps(query.steps));
}

export async function retentionRows(ctx: ReportContext, query: AnyReportQuery) {
  return retention(ctx.sql, toMetricRange(query, ctx.now()), { weeks: query.weeks ?? 8 });
}

/** A report row: a plain object whose keys include the table's columns. */
export type Row = object;

/** An export: its column order and its rows. */
interface ExportTable {
  columns: string[];
  rows(ctx: ReportContext, query: AnyReportQuery): Promise<Row[]>;
}

const range = (ctx: ReportContext, query: AnyReportQuery) => toMetricRange(query, ctx.now());
const list = (query: AnyReportQuery) => ({ limit: query.limit ?? 50 });

export const EXPORT_TABLES: Record<ExportReport, ExportTable> = {
  pages: {
    columns: ['path', 'page_views', 'unique_users', 'avg_time_seconds', 'avg_scroll_depth', 'exits'],
    rows: async (ctx, q) => pages(ctx.sql, range(ctx, q), list(q)),
  },
  clicks: {
    columns: ['path', 'button_id', 'clicks', 'page_views', 'ctr'],
    rows: async (ctx, q) => clicks(ctx.sql, range(ctx, q), list(q)),
  },
  'sessions-daily': {
    columns: ['day', 'sessions', 'users', 'avg_duration_seconds', 'avg_page_views', 'bounce_rate'],
    rows: async (ctx, q) => sessionsDaily(ctx.sql, range(ctx, q)),
  },
  'event-types': {
    columns: ['event_type', 'events'],
    rows: async (ctx, q) => eventTypeTotals(ctx.sql, range(ctx, q), list(q)),
  },
  'users-top': { columns: ['user_id', 'events'], rows: async (ctx, q) => usersTop(ctx, q) },
  timeseries: { columns: ['t', 'value'], rows: async (ctx, q) => timeseriesRows(ctx, q) },
  'revenue-daily': {
    columns: ['day', 'orders', 'revenue'],
    rows: async (ctx, q) => (await revenue(ctx.sql, range(ctx, q), list(q))).rows as Row[],
  },
  'top-products': {
    columns: ['product_id', 'name', 'quantity', 'revenue'],
    rows: async (ctx, q) => (await revenue(ctx.sql, range(ctx, q), list(q))).top_products as Row[],
  },
  'payment-methods': {
    columns: ['payment_method', 'orders', 'revenue'],
    rows: async (ctx, q) => (await revenue(ctx.sql, range(ctx, q), list(q))).payment_methods as Row[],
  },
  breakdown: {
    columns: ['value', 'events', 'users', 'sessions'],
    rows: async (ctx, q) => {
      const dimension = q.dimension as BreakdownDimension | undefined;
      if (!dimension || !BREAKDOWN_DIMENSIONS.includes(dimension)) {
        throw new HttpError(400, 'invalid_query', `dimension must be one of ${BREAKDOWN_DIMENSIONS.join(', ')}`, [{ field: 'dimension' }]);
      }
      return breakdown(ctx.sql, range(ctx, q), dimension, list(q));
    },
  },
  funnel: {
    columns: ['step', 'label', 'sessions', 'conversion_rate', 'drop_off_rate'],
    rows: async (ctx, q) => funnelRows(ctx, q),
  },
  retention: {
    columns: ['cohort', 'users', 'week', 'retained', 'rate'],
    // One line per cohort and week: a grid does not fit CSV's flat rows.
    rows: async (ctx, q) =>
      (await retentionRows(ctx, q)).flatMap((r) => r.retained.map((retained, week) => ({ cohort: r.cohort, users: r.users, week, retained, rate: r.rates[week] }))),
  },
  'scroll-depth': {
    columns: ['path', 'scroll_events', 'avg_scroll_depth', 'max_scroll_depth', 'page_views_scrolled', 'reached_25', 'reached_50', 'reached_75', 'reached_100'],
    rows: async (ctx, q) => scrollDepth(ctx.sql, range(ctx, q), list(q)),
  },
};
