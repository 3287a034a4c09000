// Ingest's Prometheus metrics: events by site/type/outcome, request durations, Kafka produce
// latency and dead-letter writes.

import { Counter, Histogram, type Registry } from 'prom-client';

export type EventOutcome = 'accepted' | 'rejected' | 'unavailable';

export interface IngestMetrics {
  /** Counts events; label children are cached, since this runs once per event. */
  countEvent(site: string, eventType: string, outcome: EventOutcome, n?: number): void;
  /** Observes a request; label children are cached, since this runs once per request. */
  observeRequest(route: string, status: number, seconds: number): void;
  produceDuration: Histogram<'outcome'>;
  deadLetters: Counter<'reason'>;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const events = new Counter({
      name: 'clickstream_ingest_events_total',
      help: 'Events received, by site, type and outcome (accepted, rejected, unavailable)',
      labelNames: ['site', 'event_type', 'outcome'] as const,
      registers: [registry],
  });
  const requestDuration = new Histogram({
      name: 'clickstream_ingest_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
  });
  // Label sets are few (sites × types × outcomes, routes × statuses), so the children are kept.
  const eventChildren = new Map<string, ReturnType<typeof events.labels>>();
  const requestChildren = new Map<string, ReturnType<typeof requestDuration.labels>>();
  return {
    countEvent(site, eventType, outcome, n = 1) {
      const key = `${site}\u0000${eventType}\u0000${outcome}`;
      let child = eventChildren.get(key);
      if (!child) eventChildren.set(key, (child = events.labels(site, eventType, outcome)));
      child.inc(n);
    },
    observeRequest(route, status, seconds) {
      const key = `${route}\u0000${status}`;
      let child = requestChildren.get(key);
      if (!child) requestChildren.set(key, (child = requestDuration.labels(route, String(status))));
      child.observe(seconds);
    },
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
