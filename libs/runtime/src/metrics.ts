// The Prometheus registry of one service: its own registry (never prom-client's global one), so
// several services or tests can live in one process without clashing metric names.
import { Registry, collectDefaultMetrics } from 'prom-client';

export type { Registry } from 'prom-client';

export interface CreateMetricsRegistryOptions {
  service: string;
  /** Collect Node.js process metrics (CPU, memory, event loop lag, GC). */
  defaultMetrics?: boolean;
  /** Prefix of the default metrics' names. */
  prefix?: string;
}

/** A registry whose every metric carries the label `service`. */
export function createMetricsRegistry(options: CreateMetricsRegistryOptions): Registry {
  const { service, defaultMetrics = true, prefix = 'clickstream_' } = options;
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (defaultMetrics) collectDefaultMetrics({ register: registry, prefix });
  return registry;
}
