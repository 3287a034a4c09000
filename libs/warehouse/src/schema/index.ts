// Every warehouse table, unqualified: the schema comes from each connection's search_path.
export { events, type EventRecord } from './events';
export { etl_objects, etl_rejects, etl_runs, ETL_REJECT_LINE_MAX_CHARS, ETL_RUN_STATUSES, type EtlRunStatus } from './etl';
export { consumer_offsets, user_minute_counts } from './live';
export {
  click_through_daily,
  dim_date,
  event_counts_hourly,
  order_items,
  orders,
  page_engagement_daily,
  page_views,
  products,
  revenue_daily,
  scroll_depth_daily,
  session_metrics_daily,
  sessions,
  user_hours,
  users,
} from './models';
export { ANALYST_ROLES, analyst_sessions, analysts, api_tokens, type AnalystRole } from './analysts';
