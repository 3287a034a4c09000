// The report endpoints of shared/DESIGN.md ("HTTP interfaces", apps/web): each validates its query
// string, asks one libs/warehouse query, and answers the documented shape.

import {
  breakdown,
  clicks,
  eventTypeTotals,
  overview,
  pages,
  revenue,
  scrollDepth,
  sessionsDaily,
  sites,
  type BreakdownDimension,
} from '@clickstream/warehouse';
import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from 'postgres';
import { reportQuery, ReportQuerySchema, toMetricRange } from '../report-query';
import { funnelRows, ReportParams, retentionRows, timeseriesRows, usersTop, type AnyReportQuery, type ReportContext } from '../reports';
import {
  AnalyticsSchema,
  BreakdownRowSchema,
  ClickRowSchema,
  EventTypeRowSchema,
  FunnelStepRowSchema,
  OverviewSchema,
  PageRowSchema,
  RetentionRowSchema,
  RevenueSchema,
  rows,
  ScrollDepthRowSchema,
  SessionsDayRowSchema,
  SitesSchema,
  TimeseriesPointSchema,
  UserRowSchema,
} from '../schemas';

const errors = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' } };

export function registerReportRoutes(app: FastifyInstance, deps: { sql: Sql; now: () => Date }): void {
  const ctx: ReportContext = { sql: deps.sql, now: deps.now };
  const range = (q: AnyReportQuery) => toMetricRange(q, deps.now());
  const list = (q: AnyReportQuery) => ({ limit: q.limit ?? 50 });

  function report(path: string, summary: string, querystring: TSchema, reply: TSchema, handler: (q: AnyReportQuery) => Promise<unknown>): void {
    app.get(path, { schema: { summary, tags: ['reports'], querystring, response: { 200: reply, ...errors } } }, async (request) =>
      handler(request.query as AnyReportQuery),
    );
  }

  report('/api/overview', 'Totals of the range and of the period before it', ReportQuerySchema, OverviewSchema, (q) => overview(deps.sql, range(q)));
  report('/api/timeseries', 'One metric per minute, hour or day', reportQuery(ReportParams.timeseries), rows(TimeseriesPointSchema), async (q) => ({
    rows: await timeseriesRows(ctx, q),
  }));
  report('/api/event-types', 'Events by type', ReportQuerySchema, rows(EventTypeRowSchema), async (q) => ({ rows: await eventTypeTotals(deps.sql, range(q), list(q)) }));
  report('/api/pages', 'Page engagement by path', ReportQuerySchema, rows(PageRowSchema), async (q) => ({ rows: await pages(deps.sql, range(q), list(q)) }));
  report('/api/clicks', 'Click-through by button and page', ReportQuerySchema, rows(ClickRowSchema), async (q) => ({ rows: await clicks(deps.sql, range(q), list(q)) }));
  report('/api/sessions/daily', 'Sessions per day', ReportQuerySchema, rows(SessionsDayRowSchema), async (q) => ({ rows: await sessionsDaily(deps.sql, range(q)) }));
  report('/api/scroll-depth', 'Scroll depth by path', ReportQuerySchema, rows(ScrollDepthRowSchema), async (q) => ({ rows: await scrollDepth(deps.sql, range(q), list(q)) }));
  report('/api/revenue', 'Orders, revenue, AOV, top products and payment methods', ReportQuerySchema, RevenueSchema, (q) => revenue(deps.sql, range(q), list(q)));
  report('/api/breakdown', 'Audience by one dimension', reportQuery(ReportParams.breakdown), rows(BreakdownRowSchema), async (q) => ({
    rows: await breakdown(deps.sql, range(q), q.dimension as BreakdownDimension, list(q)),
  }));
  report('/api/funnel', 'Sessions reaching each step, in order', reportQuery(ReportParams.funnel), rows(FunnelStepRowSchema), async (q) => ({ rows: await funnelRows(ctx, q) }));
  report('/api/retention', 'Weekly cohorts of users and the weeks they came back', reportQuery(ReportParams.retention), rows(RetentionRowSchema), async (q) => ({
    rows: await retentionRows(ctx, q),
  }));
  report('/api/users/top', 'Most active users of the last window (live rollups)', reportQuery(ReportParams.usersTop), rows(UserRowSchema), async (q) => ({
    rows: await usersTop(ctx, q),
  }));
  report('/api/sites', 'Sites with data', ReportQuerySchema, SitesSchema, async () => ({ rows: await sites(deps.sql) }));

  // Seed 001's dashboard summary: by default the last 7 days.
  report('/api/analytics', 'Summary, sessions over time, top pages and clicks (seed 001)', ReportQuerySchema, AnalyticsSchema, async (q) => {
    const r = range(q);
    const [totals, days, topPages, topClicks] = await Promise.all([
      overview(deps.sql, r),
      sessionsDaily(deps.sql, r),
      pages(deps.sql, r, { limit: q.limit ?? 10 }),
      clicks(deps.sql, r, { limit: q.limit ?? 10 }),
    ]);
    return {
      summary: { total_sessions: totals.sessions, total_users: totals.users, avg_session_duration: totals.avg_session_seconds, total_page_views: totals.page_views },
      sessions_over_time: days,
      top_pages: topPages,
      top_clicks: topClicks,
    };
  });
}
