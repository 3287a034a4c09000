// JSON Schemas of the analyst API's replies (src/shared/api-types.ts in schema form): Fastify
// serialises with them and /api/docs shows them. A nullable number must say so, or the
// serialiser would turn null into 0.

import { Type, type TSchema } from '@sinclair/typebox';

const num = Type.Number();
const nullableNum = Type.Union([Type.Number(), Type.Null()]);
const str = Type.String();
const nullableStr = Type.Union([Type.String(), Type.Null()]);

export const rows = <T extends TSchema>(row: T) => Type.Object({ rows: Type.Array(row) });

export const ErrorSchema = Type.Object(
  { error: Type.Object({ code: str, message: str, details: Type.Optional(Type.Unknown()) }) },
  { $id: 'Error' },
);

const totals = { events: num, page_views: num, users: num, sessions: num, avg_session_seconds: num, bounce_rate: num, revenue: num };
export const OverviewSchema = Type.Object({ ...totals, previous: Type.Object(totals) });

export const PageRowSchema = Type.Object({ path: str, page_views: num, unique_users: num, avg_time_seconds: nullableNum, avg_scroll_depth: nullableNum, exits: num });
export const ClickRowSchema = Type.Object({ path: str, button_id: str, clicks: num, page_views: num, ctr: nullableNum });
export const SessionsDayRowSchema = Type.Object({ day: str, sessions: num, users: num, avg_duration_seconds: num, avg_page_views: num, bounce_rate: num });
export const EventTypeRowSchema = Type.Object({ event_type: str, events: num });
export const UserRowSchema = Type.Object({ user_id: str, events: num });
export const TimeseriesPointSchema = Type.Object({ t: str, value: num });
export const ScrollDepthRowSchema = Type.Object({
  path: str,
  scroll_events: num,
  avg_scroll_depth: nullableNum,
  max_scroll_depth: nullableNum,
  page_views_scrolled: num,
  reached_25: num,
  reached_50: num,
  reached_75: num,
  reached_100: num,
});
export const BreakdownRowSchema = Type.Object({ value: str, events: num, users: num, sessions: num });
export const RevenueSchema = Type.Object({
  orders: num,
  revenue: num,
  aov: num,
  rows: Type.Array(Type.Object({ day: str, orders: num, revenue: num })),
  top_products: Type.Array(Type.Object({ product_id: str, name: nullableStr, quantity: num, revenue: num })),
  payment_methods: Type.Array(Type.Object({ payment_method: str, orders: num, revenue: num })),
});
export const FunnelStepRowSchema = Type.Object({ step: num, label: str, sessions: num, conversion_rate: num, drop_off_rate: num });
export const RetentionRowSchema = Type.Object({ cohort: str, users: num, retained: Type.Array(num), rates: Type.Array(num) });
const volume = Type.Array(Type.Object({ day: str, events: num, bytes: num }));
export const LiveSchema = Type.Object({
  events_today: num,
  per_minute: Type.Array(Type.Object({ minute: str, events: num })),
  by_type: Type.Array(EventTypeRowSchema),
  top_users_last_hour: Type.Array(UserRowSchema),
  volume,
});
const partitionLag = Type.Object({ partition: num, committed: nullableStr, end: str, lag: num });
export const PipelineSchema = Type.Object({
  consumers: Type.Array(Type.Object({ group: str, topic: str, lag: num, partitions: Type.Array(partitionLag), error: Type.Optional(str) })),
  etl: Type.Object({
    runs: Type.Array(
      Type.Object({ id: num, started_at: str, finished_at: nullableStr, status: str, objects: num, rows: num, rejects: num, error: nullableStr }),
    ),
    loaded_objects: num,
    loaded_bytes: num,
    pending_objects: num,
    pending_bytes: num,
    rejected_lines: num,
  }),
  dlq: Type.Object({
    topic: str,
    messages: num,
    recent: Type.Array(Type.Object({ partition: num, offset: str, timestamp: str, headers: Type.Record(str, str), value: str })),
    error: Type.Optional(str),
  }),
  archive: Type.Object({ objects: num, bytes: num, error: Type.Optional(str) }),
  volume,
});
export const AnalyticsSchema = Type.Object({
  summary: Type.Object({ total_sessions: num, total_users: num, avg_session_duration: num, total_page_views: num }),
  sessions_over_time: Type.Array(SessionsDayRowSchema),
  top_pages: Type.Array(PageRowSchema),
  top_clicks: Type.Array(ClickRowSchema),
});
export const MeSchema = Type.Object({ username: str, role: Type.Union([Type.Literal('admin'), Type.Literal('analyst')]) });
export const SitesSchema = rows(Type.Object({ site_id: str }));
export const TokenListSchema = rows(Type.Object({ name: str, prefix: str, created_at: str, last_used_at: nullableStr }));
