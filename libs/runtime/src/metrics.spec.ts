import { Counter, register as globalRegistry } from 'prom-client';
import { createMetricsRegistry } from './metrics';

describe('createMetricsRegistry', () => {
  it('exposes default metrics with the prefix and the service label', async () => {
    const registry = createMetricsRegistry({ service: 'stream-consumer' });
    const text = await registry.metrics();
    expect(text).toMatch(/^clickstream_process_cpu_user_seconds_total\{service="stream-consumer"\} \d/m);
    expect(text).toMatch(/^clickstream_nodejs_eventloop_lag_seconds\{service="stream-consumer"\}/m);
  });

  it('keeps registries independent, so two services can share a process', async () => {
    const a = createMetricsRegistry({ service: 'ingest' });
    const b = createMetricsRegistry({ service: 'web' });
    // The same metric name in both: no "already registered" error, and each counts its own.
    const inA = new Counter({ name: 'events_total', help: 'events', registers: [a] });
    new Counter({ name: 'events_total', help: 'events', registers: [b] });
    inA.inc(3);

    expect(await a.getSingleMetricAsString('events_total')).toContain('events_total{service="ingest"} 3');
    expect(await b.getSingleMetricAsString('events_total')).toContain('events_total{service="web"} 0');
    expect(globalRegistry.getMetricsAsArray()).toHaveLength(0);
  });

  it('can leave default metrics out and use another prefix', async () => {
    const registry = createMetricsRegistry({ service: 'etl', defaultMetrics: false });
    expect(registry.getMetricsAsArray()).toHaveLength(0);
    const prefixed = createMetricsRegistry({ service: 'etl', prefix: 'etl_' });
    expect(await prefixed.metrics()).toContain('etl_process_cpu_user_seconds_total{service="etl"}');
  });
});
