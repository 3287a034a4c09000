// The web app's Prometheus metrics: API request durations by route and status.

import { Histogram, type Registry } from 'prom-client';

export interface WebMetrics {
  observeRequest(route: string, status: number, seconds: number): void;
}

export function createWebMetrics(registry: Registry): WebMetrics {
  const requestDuration = new Histogram({
    name: 'clickstream_web_request_duration_seconds',
    help: 'Analyst API request duration by route and status',
    labelNames: ['route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    observeRequest(route, status, seconds) {
      requestDuration.labels(route, String(status)).observe(seconds);
    },
  };
}
