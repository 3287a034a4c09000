// The ETL's Prometheus metrics: runs by outcome and their duration, what the loads added (rows,
// duplicates, objects, bytes, rejected lines), the objects still waiting, model rebuild time, and the
// time of the last successful run (alert when it grows old).

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface EtlMetrics {
  runs: Counter<'status'>;
  runDuration: Histogram;
  rowsLoaded: Counter;
  duplicates: Counter;
  objectsLoaded: Counter;
  bytesLoaded: Counter;
  objectsPending: Gauge;
  rejects: Counter;
  lastSuccess: Gauge;
  rebuildDuration: Histogram;
}

export function createEtlMetrics(registry: Registry): EtlMetrics {
  const registers = [registry];
  return {
    runs: new Counter({
      name: 'clickstream_etl_runs_total',
      help: 'ETL runs (scheduled, run --once, backfill) by outcome: succeeded, failed',
      labelNames: ['status'] as const,
      registers,
    }),
    runDuration: new Histogram({
      name: 'clickstream_etl_run_duration_seconds',
      help: 'Time of one ETL run: listing, loading and the model rebuild',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    }),
    rowsLoaded: new Counter({ name: 'clickstream_etl_rows_loaded_total', help: 'Rows added to the events fact', registers }),
    duplicates: new Counter({
      name: 'clickstream_etl_duplicate_events_total',
      help: 'Valid events not added because their (site_id, event_id) was already loaded',
      registers,
    }),
    objectsLoaded: new Counter({ name: 'clickstream_etl_objects_loaded_total', help: 'Raw objects loaded (each in one transaction)', registers }),
    bytesLoaded: new Counter({ name: 'clickstream_etl_bytes_loaded_total', help: 'Compressed bytes of the raw objects loaded', registers }),
    objectsPending: new Gauge({
      name: 'clickstream_etl_objects_pending',
      help: 'Raw objects not in the manifest yet, as counted by the latest run when it listed the archive',
      registers,
    }),
    rejects: new Counter({ name: 'clickstream_etl_rejected_lines_total', help: 'Archive lines that were not canonical events (stored in etl_rejects)', registers }),
    lastSuccess: new Gauge({
      name: 'clickstream_etl_last_success_timestamp_seconds',
      help: 'Unix time at which the latest successful run finished',
      registers,
    }),
    rebuildDuration: new Histogram({
      name: 'clickstream_etl_model_rebuild_duration_seconds',
      help: 'Time to rebuild the analytics models for the site-days a run touched',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
  };
}
