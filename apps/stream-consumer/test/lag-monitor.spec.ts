// The lag monitor on the dev broker: it reads each group's lag, and says why when Kafka is gone
// (the stream consumer's /ready turns 503 on that).

import { randomUUID } from 'node:crypto';
import { ensureTopics } from '@clickstream/kafka';
import { startDevBroker, type DevBroker } from '@clickstream/kafka/testing';
import { createMetricsRegistry } from '@clickstream/runtime';
import { startLagMonitor } from '../src/lag-monitor';
import { createConsumerMetrics } from '../src/metrics';
import { makeEvents, produceEvents, quietLogger, testKafka } from './harness';

jest.setTimeout(60_000);

let broker: DevBroker;
beforeAll(async () => {
  broker = await startDevBroker();
});
afterAll(async () => {
  await broker?.stop();
});

it('reports lag per partition while Kafka answers, and the error once it does not', async () => {
  const kafka = testKafka(broker.brokers);
  const topic = `lag-${randomUUID().slice(0, 8)}`;
  await ensureTopics(kafka, { topic, partitions: 2 });
  const producer = kafka.producer();
  await producer.connect();
  await produceEvents(producer, topic, makeEvents(300));
  await producer.disconnect();

  const metrics = createConsumerMetrics(createMetricsRegistry({ service: 'stream-consumer', defaultMetrics: false }));
  const monitor = startLagMonitor({ kafka, topic, groups: ['never-consumed'], metrics, logger: quietLogger(), intervalMs: 60_000 });
  try {
    await monitor.sample();
    expect(monitor.lastError()).toBeUndefined();
    const lags = monitor.latest().get('never-consumed') ?? [];
    expect(lags.map((p) => p.partition)).toEqual([0, 1]);
    expect(lags.reduce((n, p) => n + p.lag, 0)).toBe(300);

    await broker.stop();
    await monitor.sample();
    expect(monitor.lastError()).toBeInstanceOf(Error);
  } finally {
    await monitor.stop().catch(() => undefined);
  }
});
