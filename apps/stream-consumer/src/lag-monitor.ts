// Samples each running group's lag per partition into the clickstream_consumer_lag gauge, so a
// stalled pipeline (S3 or PostgreSQL down) shows as growing lag on /metrics.

import type { Kafka } from 'kafkajs';
import { consumerLag, type PartitionLag } from '@clickstream/kafka';
import type { Logger } from '@clickstream/runtime';
import type { ConsumerMetrics } from './metrics';

export interface LagMonitor {
  /** The last sample per group. */
  latest(): Map<string, PartitionLag[]>;
  /** Why the last sample failed (Kafka unreachable), or undefined when it worked. */
  lastError(): Error | undefined;
  sample(): Promise<void>;
  stop(): Promise<void>;
}

export function startLagMonitor(options: { kafka: Kafka; topic: string; groups: string[]; metrics: ConsumerMetrics; logger: Logger; intervalMs?: number }): LagMonitor {
  const admin = options.kafka.admin();
  const last = new Map<string, PartitionLag[]>();
  let connected: Promise<void> | undefined;
  let error: Error | undefined;

  const sample = async () => {
    try {
      connected ??= admin.connect();
      await connected;
      for (const group of options.groups) {
        const lags = await consumerLag(admin, group, options.topic);
        last.set(group, lags);
        for (const p of lags) options.metrics.lag.set({ group, partition: String(p.partition) }, p.lag);
      }
      if (error) options.logger.info('consumer lag is readable again');
      error = undefined;
    } catch (err) {
      connected = undefined;
      if (!error) options.logger.warn({ err }, 'could not read consumer lag');
      error = err as Error;
    }
  };

  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = sample();
  }, options.intervalMs ?? 5000);
  timer.unref();

  return {
    latest: () => last,
    lastError: () => error,
    sample,
    async stop() {
      clearInterval(timer);
      await running;
      await admin.disconnect();
    },
  };
}
