// Every warehouse table, unqualified: the schema comes from each connection's search_path.
export { events, type EventRecord } from './events';
export { etl_objects, etl_rejects, etl_runs, ETL_REJECT_LINE_MAX_CHARS, ETL_RUN_STATUSES, type EtlRunStatus } from './etl';
export { consumer_offsets, user_minute_counts } from './live';
