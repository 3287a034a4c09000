// Every warehouse table, unqualified: the schema comes from each connection's search_path.
export { events, type EventRecord } from './events';
export { etl_objects, etl_rejects, etl_runs, ETL_REJECT_LINE_MAX_CHARS, ETL_RUN_STATUSES, type EtlRunStatus } from './etl';
export { consumer_offsets, live_hour_counts, user_minute_counts } from './live';
export {
  BREAKDOWN_DIMENSION_COLUMNS,
  click_through_daily,
  dim_date,
  dimension_user_days,
  dimension_user_hours,
  event_counts_hourly,
  event_dimension_hourly,
  order_items,
  orders,
  page_engagement_daily,
  page_user_days,
  page_user_hours,
  page_views,
  products,
  revenue_daily,
  scroll_depth_daily,
  session_dimension_hourly,
  session_metrics_daily,
  session_user_hour_sets,
  session_user_hours,
  sessions,
  user_hour_sets,
  user_hours,
  user_numbers,
  users,
} from './models';
export { ANALYST_ROLES, analyst_sessions, analysts, api_tokens, type AnalystRole } from './analysts';
