// S3 and PostgreSQL each down for 30 s while events keep coming: the pipelines retry, nothing is
// committed past what is durable, lag grows and is visible, and afterwards every event is
// archived once and counted once.

import { randomUUID } from 'node:crypto';
import { createRawArchive } from '@clickstream/archive';
import { startTestS3, type TestS3 } from '@clickstream/archive/testing';
import { createDeadLetterPublisher, createEventProducer, dlqTopicFor, ensureTopics } from '@clickstream/kafka';
import { startDevBroker, waitFor, type DevBroker } from '@clickstream/kafka/testing';
import { createMetricsRegistry } from '@clickstream/runtime';
import { createWarehouse } from '@clickstream/warehouse';
import { createTestWarehouse, startTestPostgres, type TestPostgres } from '@clickstream/warehouse/testing';
import type { Kafka, Producer } from 'kafkajs';
import { createArchiver } from '../src/archiver/archiver';
import { startLagMonitor } from '../src/lag-monitor';
import { createLivePipeline } from '../src/live/live-pipeline';
import { createConsumerMetrics } from '../src/metrics';
import { expectedTotals, makeEvents, produceEvents, quietLogger, readArchive, rollupTotals, sum, testKafka } from './harness';
import { startTcpProxy, type TcpProxy } from '@clickstream/runtime/testing';

jest.setTimeout(180_000);

const OUTAGE_MS = 30_000;

let broker: DevBroker;
let s3: TestS3;
let pg: TestPostgres;
let proxy: TcpProxy;
let kafka: Kafka;
let producer: Producer;

beforeAll(async () => {
  [broker, s3, pg] = await Promise.all([startDevBroker(), startTestS3(), startTestPostgres()]);
  const target = new URL(pg.url);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  kafka = testKafka(broker.brokers);
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await proxy?.close();
  await Promise.all([broker?.stop(), s3?.destroy(), pg?.stop()]);
});

describe('S3 and PostgreSQL outages of 30 s', () => {
  it('lose nothing and double nothing', async () => {
    const topic = `outage-${randomUUID().slice(0, 8)}`;
    await ensureTopics(kafka, { topic, partitions: 6 });
    const archive = createRawArchive({ ...s3.config, S3_BUCKET: `test-${randomUUID().slice(0, 8)}` });
    await archive.ensureBucket();
    const testWarehouse = await createTestWarehouse(pg.url);
    // The pipeline reaches PostgreSQL through the proxy, so the test can cut it off.
    const viaProxy = new URL(pg.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const warehouse = createWarehouse({ url: viaProxy.toString(), schema: testWarehouse.schema });

    const registry = createMetricsRegistry({ service: 'stream-consumer', defaultMetrics: false });
    const metrics = createConsumerMetrics(registry);
    const logger = quietLogger();
    const dlqProducer = createEventProducer(kafka);
    await dlqProducer.connect();
    const deadLetters = createDeadLetterPublisher(dlqProducer, dlqTopicFor(topic));
    const groups = { archiver: `archiver-${topic}`, live: `live-${topic}` };
    const archiver = createArchiver({ kafka, topic, groupId: groups.archiver, archive, deadLetters, logger, metrics, flushRecords: 500, flushIntervalMs: 300, retry: { maxMs: 2000 } });
    const live = createLivePipeline({ kafka, topic, groupId: groups.live, warehouse, deadLetters, logger, metrics, retry: { maxMs: 2000 } });
    const lag = startLagMonitor({ kafka, topic, groups: Object.values(groups), metrics, logger, intervalMs: 500 });
    await Promise.all([archiver.start(), live.start()]);

    try {
      const before = makeEvents(2000);
      await produceEvents(producer, topic, before);
      await waitFor('the first events archived and counted', async () => (await readArchive(archive)).length === 2000 && sum(await rollupTotals(testWarehouse)) === 2000, 60_000);

      // Both down at once for 30 s; events keep arriving.
      await s3.stop();
      await proxy.cut();
      const during = makeEvents(3000);
      await produceEvents(producer, topic, during);
      await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
      await lag.sample();
      const lagDuring = lag.latest();
      const totalLag = (group: string) => (lagDuring.get(group) ?? []).reduce((n, p) => n + p.lag, 0);
      expect(totalLag(groups.archiver)).toBeGreaterThanOrEqual(3000);
      expect(totalLag(groups.live)).toBeGreaterThanOrEqual(3000);
      await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
      const failures = await registry.getSingleMetricAsString('clickstream_consumer_failures_total');
      expect(failures).toMatch(/stage="s3_(put|list)",kind="retriable"[^}]*\} [1-9]/);
      expect(failures).toMatch(/stage="pg_rollup",kind="retriable"[^}]*\} [1-9]/);

      await s3.start();
      await proxy.restore();
      const after = makeEvents(1000);
      await produceEvents(producer, topic, after);
      const all = [...before, ...during, ...after];
      await waitFor('everything archived', async () => (await readArchive(archive)).length >= all.length, 90_000);
      await waitFor('everything counted', async () => sum(await rollupTotals(testWarehouse)) >= all.length, 90_000);

      const archived = await readArchive(archive);
      expect(archived).toHaveLength(all.length);
      expect(new Set(archived.map((l) => l.event.event_id)).size).toBe(all.length);
      expect(await rollupTotals(testWarehouse)).toEqual(expectedTotals(all));
    } finally {
      await Promise.all([archiver.stop(), live.stop(), lag.stop()]);
      await dlqProducer.disconnect();
      await warehouse.close();
      await testWarehouse.drop();
    }
  });
});
