// Ingest's Prometheus metrics: events by site/type/outcome, request durations, Kafka produce
// latency and dead-letter writes.

import { Counter, Histogram, type Registry } from 'prom-client';

export interface IngestMetrics {
  events: Counter<'site' | 'event_type' | 'outcome'>;
  requestDuration: Histogram<'route' | 'status'>;
  produceDuration: Histogram<'outcome'>;
  deadLetters: Counter<'reason'>;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  return {
    events: new Counter({
      name: 'clickstream_ingest_events_total',
      help: 'Events received, by site, type and outcome (accepted, rejected, unavailable)',
      labelNames: ['site', 'event_type', 'outcome'] as const,
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'clickstream_ingest_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    produceDuration: new Histogram({
      name: 'clickstream_ingest_kafka_produce_seconds',
      help: 'Time from handing events to Kafka to the acks=all acknowledgement',
      labelNames: ['outcome'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'clickstream_ingest_dlq_writes_total',
      help: 'Rejected batch items written to the dead-letter topic',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
}
