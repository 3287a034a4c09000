// The analyst API's request parameters and reply shapes, shared by the server (src/server) and the
// SPA (src/client). shared/DESIGN.md "HTTP interfaces" is the source; shapes it does not list
// (funnel, retention, pipeline, live ticks, auth) are defined here and documented in the README.

/** Query string every report endpoint takes. `from`/`to`: `YYYY-MM-DD` (inclusive days) or a datetime (`to` exclusive). */
export interface ReportQuery {
  site: string;
  from: string;
  to: string;
  /** IANA zone; default UTC. */
  tz?: string;
  /** `include` counts bot traffic too; default leaves it out. */
  bots?: 'include' | 'exclude';
  /** Only events of this type (event counts), or sessions containing one (session metrics). */
  event_type?: string;
  /** Only sessions on this device type (desktop, mobile, tablet, …). */
  device?: string;
  /** Only sessions from this ISO country code. */
  country?: string;
  limit?: number;
}

export interface Rows<T> {
  rows: T[];
}

export interface OverviewTotals {
  events: number;
  page_views: number;
  users: number;
  sessions: number;
  avg_session_seconds: number;
  bounce_rate: number;
  revenue: number;
}
export interface OverviewReply extends OverviewTotals {
  previous: OverviewTotals;
}

export interface PageRow {
  path: string;
  page_views: number;
  unique_users: number;
  avg_time_seconds: number | null;
  avg_scroll_depth: number | null;
  exits: number;
}
export interface ClickRow {
  path: string;
  button_id: string;
  clicks: number;
  page_views: number;
  ctr: number | null;
}
export interface SessionsDayRow {
  day: string;
  sessions: number;
  users: number;
  avg_duration_seconds: number;
  avg_page_views: number;
  bounce_rate: number;
}
export interface EventTypeRow {
  event_type: string;
  events: number;
}
export interface UserRow {
  user_id: string;
  events: number;
}
export interface TimeseriesPoint {
  /** ISO instant of the bucket start (minute/hour) or `YYYY-MM-DD` (day). */
  t: string;
  value: number;
}
export interface ScrollDepthRow {
  path: string;
  scroll_events: number;
  avg_scroll_depth: number | null;
  max_scroll_depth: number | null;
  page_views_scrolled: number;
  /** Page views whose deepest scroll reached 25, 50, 75 and 100 percent. */
  reached_25: number;
  reached_50: number;
  reached_75: number;
  reached_100: number;
}
export interface BreakdownRow {
  value: string;
  events: number;
  users: number;
  sessions: number;
}
export interface RevenueReply {
  orders: number;
  revenue: number;
  aov: number;
  rows: { day: string; orders: number; revenue: number }[];
  top_products: { product_id: string; name: string | null; quantity: number; revenue: number }[];
  payment_methods: { payment_method: string; orders: number; revenue: number }[];
}

/**
 * `/api/funnel?steps=page_view:/pricing,click:signup,purchase` — 2 to 8 steps, each `event_type`
 * or `event_type:value` (value = path for page_view, button_id for click, event_name for custom,
 * else path). A session that starts in range reaches step n when it has events (at any time)
 * matching steps 1..n in that order (by event_time, received_at, event_id).
 */
export interface FunnelStepRow {
  step: number;
  /** The step as given, e.g. `page_view:/pricing`. */
  label: string;
  sessions: number;
  /** sessions ÷ step 1 sessions × 100. */
  conversion_rate: number;
  /** 100 − sessions ÷ previous step sessions × 100 (0 for step 1). */
  drop_off_rate: number;
}

/**
 * `/api/retention?weeks=8` — weekly cohorts (ISO weeks, Monday start, in tz) of users by the week
 * of their first session ever, for the weeks holding `from` … `to`; `retained[k]` is the users of
 * the cohort with a session in week k after it (k = 0 is the cohort week, always all of them), for
 * the `weeks` weeks (cohort week included) that have begun before `to`.
 */
export interface RetentionRow {
  cohort: string;
  users: number;
  retained: number[];
  /** retained ÷ users × 100, per week. */
  rates: number[];
}

export interface LiveReply {
  events_today: number;
  per_minute: { minute: string; events: number }[];
  by_type: EventTypeRow[];
  top_users_last_hour: UserRow[];
  volume: { day: string; events: number; bytes: number }[];
}

/** One recent event in the live feed (a trimmed canonical event). */
export interface LiveEvent {
  event_id: string;
  event_type: string;
  event_name?: string | null;
  site_id: string;
  user_id: string;
  session_id: string;
  event_time: string;
  received_at: string;
  path?: string | null;
  button_id?: string | null;
  country?: string | null;
  device_type?: string | null;
}

/** What `/ws/live` sends every second (JSON text frames). */
export interface LiveTick {
  type: 'tick';
  /** ISO instant of the tick. */
  at: string;
  /** Events of the last second, all sites the analyst may see, or the `?site=` one. */
  events_last_second: number;
  by_type_last_second: Record<string, number>;
  /** Events seen by this web instance since it started (its consumer reads from latest). */
  events_since_start: number;
  /** Events per second over the last 60 s, oldest first (60 numbers). */
  per_second: number[];
  /** Newest first, at most 50; only the events that arrived since the previous tick. */
  recent: LiveEvent[];
}

export interface PartitionLagRow {
  partition: number;
  committed: string | null;
  end: string;
  lag: number;
}
export interface PipelineReply {
  /** ISO instant the reply was computed (the server reuses it for a few seconds). */
  generated_at?: string;
  consumers: { group: string; topic: string; lag: number; partitions: PartitionLagRow[]; error?: string }[];
  etl: {
    runs: { id: number; started_at: string; finished_at: string | null; status: string; objects: number; rows: number; rejects: number; error: string | null }[];
    loaded_objects: number;
    loaded_bytes: number;
    pending_objects: number;
    pending_bytes: number;
    rejected_lines: number;
    /** Set when the ETL bookkeeping or the pending objects could not be read (their figures are then 0). */
    error?: string;
  };
  dlq: {
    topic: string;
    messages: number;
    recent: {
      partition: number;
      offset: string;
      timestamp: string;
      headers: Record<string, string>;
      /** The raw input, truncated to 2 KB. */
      value: string;
    }[];
    error?: string;
  };
  archive: { objects: number; bytes: number; error?: string };
  volume: { day: string; events: number; bytes: number }[];
  /** Set when the daily events (PostgreSQL) or bytes (archive listing) could not be read (they are then 0). */
  volume_error?: string;
}

export interface AnalyticsReply {
  /** Seed 001's summary: the last 7 days by default. */
  summary: { total_sessions: number; total_users: number; avg_session_duration: number; total_page_views: number };
  sessions_over_time: SessionsDayRow[];
  top_pages: PageRow[];
  top_clicks: ClickRow[];
}

export interface Me {
  username: string;
  role: 'admin' | 'analyst';
}
export interface SitesReply {
  rows: { site_id: string }[];
}

/** Every `/api/export/<report>.csv`. */
export const EXPORT_REPORTS = [
  'pages',
  'clicks',
  'sessions-daily',
  'event-types',
  'users-top',
  'timeseries',
  'revenue-daily',
  'top-products',
  'payment-methods',
  'breakdown',
  'funnel',
  'retention',
  'scroll-depth',
] as const;
export type ExportReport = (typeof EXPORT_REPORTS)[number];

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}
