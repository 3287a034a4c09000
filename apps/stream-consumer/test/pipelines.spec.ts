// Both pipelines on the dev broker, s3rver and PostgreSQL: every event archived exactly once,
// every event counted exactly once in the rollups, poison in the DLQ with its headers.

import { randomUUID } from 'node:crypto';
import { createRawArchive, type RawArchive } from '@clickstream/archive';
import { startTestS3, type TestS3 } from '@clickstream/archive/testing';
import { createDeadLetterPublisher, createEventProducer, dlqTopicFor, ensureTopics, readDeadLetterHeaders } from '@clickstream/kafka';
import { startDevBroker, waitFor, type DevBroker } from '@clickstream/kafka/testing';
import { createMetricsRegistry, type Registry } from '@clickstream/runtime';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '@clickstream/warehouse/testing';
import type { Kafka, Producer } from 'kafkajs';
import { createArchiver, type Archiver } from '../src/archiver/archiver';
import { createLivePipeline } from '../src/live/live-pipeline';
import { createConsumerMetrics, type ConsumerMetrics } from '../src/metrics';
import { expectedTotals, makeEvents, POISON, produceEvents, quietLogger, readArchive, readTopic, rollupTotals, sum, testKafka } from './harness';

jest.setTimeout(120_000);

let broker: DevBroker;
let s3: TestS3;
let pg: TestPostgres;
let kafka: Kafka;
let producer: Producer;

beforeAll(async () => {
  [broker, s3, pg] = await Promise.all([startDevBroker(), startTestS3(), startTestPostgres()]);
  kafka = testKafka(broker.brokers);
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await Promise.all([broker?.stop(), s3?.destroy(), pg?.stop()]);
});

interface Running {
  topic: string;
  archive: RawArchive;
  warehouse: TestWarehouse;
  archiver: Archiver;
  live: { stop(): Promise<void> };
  metrics: ConsumerMetrics;
  registry: Registry;
  stop(): Promise<void>;
}

async function startPipelines(options: { flushRecords?: number; flushIntervalMs?: number } = {}): Promise<Running> {
  const topic = `sc-${randomUUID().slice(0, 8)}`;
  await ensureTopics(kafka, { topic, partitions: 6 });
  const archive = createRawArchive({ ...s3.config, S3_BUCKET: `test-${randomUUID().slice(0, 8)}` });
  await archive.ensureBucket();
  const warehouse = await createTestWarehouse(pg.url);
  const registry = createMetricsRegistry({ service: 'stream-consumer', defaultMetrics: false });
  const metrics = createConsumerMetrics(registry);
  const logger = quietLogger();
  const dlqProducer = createEventProducer(kafka);
  await dlqProducer.connect();
  const deadLetters = createDeadLetterPublisher(dlqProducer, dlqTopicFor(topic));
  const archiver = createArchiver({
    kafka,
    topic,
    groupId: `archiver-${topic}`,
    archive,
    deadLetters,
    logger,
    metrics,
    flushRecords: options.flushRecords ?? 700,
    flushIntervalMs: options.flushIntervalMs ?? 300,
    sessionTimeoutMs: 10_000,
  });
  const live = createLivePipeline({ kafka, topic, groupId: `live-${topic}`, warehouse, deadLetters, logger, metrics, sessionTimeoutMs: 10_000 });
  await Promise.all([archiver.start(), live.start()]);
  const running: Running = {
    topic,
    archive,
    warehouse,
    archiver,
    live,
    metrics,
    registry,
    async stop() {
      // The pipelines a test put in place of the first ones, too.
      await Promise.all([running.archiver.stop(), running.live.stop()]);
      await dlqProducer.disconnect();
      await warehouse.drop();
    },
  };
  return running;
}

describe('archiver and live pipelines', () => {
  it('archive every event exactly once and count every event exactly once, poison to the DLQ', async () => {
    const run = await startPipelines();
    try {
      const events = makeEvents(6000);
      const poison = await produceEvents(producer, run.topic, events, 997);
      expect(poison).toBeGreaterThan(0);

      const archived = await waitFor('the archive to hold every event', async () => {
        const lines = await readArchive(run.archive);
        return lines.length >= events.length ? lines : undefined;
      }, 60_000);
      expect(archived).toHaveLength(events.length);
      const ids = new Set(archived.map((l) => l.event.event_id));
      expect(ids.size).toBe(events.length);
      for (const e of events) expect(ids.has(e.event_id)).toBe(true);
      // Lines are stored exactly as they were in Kafka.
      const byId = new Map(events.map((e) => [e.event_id, e]));
      for (const line of archived.slice(0, 200)) expect(line.event).toEqual(byId.get(line.event.event_id));
      // Each object holds one partition's events in offset order, named by its offsets.
      for (const key of new Set(archived.map((l) => l.key))) expect(key).toMatch(new RegExp(`^raw/dt=2026-11-23/hour=10/${run.topic}-p\\d-\\d+-\\d+\\.ndjson\\.gz$`));

      const expected = expectedTotals(events);
      const totals = await waitFor('the rollups to count every event', async () => {
        const t = await rollupTotals(run.warehouse);
        return sum(t) >= events.length ? t : undefined;
      }, 60_000);
      expect(totals).toEqual(expected);

      // Both pipelines dead-letter the poison, each with its own stage and the source position.
      const dlq = await readTopic(kafka, dlqTopicFor(run.topic), poison * 2);
      const stages = dlq.map((m) => readDeadLetterHeaders(m.headers ?? {})['error-stage']).sort();
      expect(stages).toEqual([...Array(poison).fill('archiver'), ...Array(poison).fill('live')]);
      for (const m of dlq) {
        const h = readDeadLetterHeaders(m.headers ?? {});
        expect(h['source-topic']).toBe(run.topic);
        expect(Number(h['source-partition'])).toBeGreaterThanOrEqual(0);
        expect(h['error-code']).toMatch(/^(not_json|invalid_event)$/);
        expect(POISON.some((p) => p.equals(m.value as Buffer))).toBe(true);
      }

      const records = (await run.metrics.records.get()).values;
      const count = (pipeline: string, outcome: string) => records.find((v) => v.labels.pipeline === pipeline && v.labels.outcome === outcome)?.value;
      expect(count('archiver', 'archived')).toBe(events.length);
      expect(count('live', 'rolled_up')).toBe(events.length);
      expect(count('archiver', 'dead_lettered')).toBe(poison);
      expect((await run.metrics.archiveObjects.get()).values[0].value).toBe(new Set(archived.map((l) => l.key)).size);
    } finally {
      await run.stop();
    }
  });

  it('rewrites a byte-identical object when it replays a range whose put landed but whose commit did not', async () => {
    const topic = `replay-${randomUUID().slice(0, 8)}`;
    await ensureTopics(kafka, { topic, partitions: 3 });
    const archive = createRawArchive({ ...s3.config, S3_BUCKET: `test-${randomUUID().slice(0, 8)}` });
    await archive.ensureBucket();
    const registry = createMetricsRegistry({ service: 'stream-consumer', defaultMetrics: false });
    const metrics = createConsumerMetrics(registry);
    const deadLetters = createDeadLetterPublisher(createEventProducer(kafka), dlqTopicFor(topic));
    const groupId = `archiver-${topic}`;
    const events = makeEvents(1500);
    await produceEvents(producer, topic, events);

    // The first archiver "dies" right after each put: the object is in S3, the offset never committed.
    const written: string[] = [];
    const dying = Object.assign(Object.create(archive) as typeof archive, {
      putObject: async (key: string, lines: readonly string[]) => {
        await archive.putObject(key, lines);
        written.push(key);
        return new Promise<never>(() => undefined);
      },
    });
    // Objects cut by time only, so the hung puts never hold up consumption (no back-pressure wait).
    const first = createArchiver({ kafka, topic, groupId, archive: dying, deadLetters, logger: quietLogger(), metrics, flushRecords: 100_000, flushIntervalMs: 300 });
    await first.start();
    await waitFor('an object per partition written', () => written.length >= 3, 30_000);
    await first.consumer.disconnect();
    const before = new Map<string, Buffer>();
    for (const key of written) before.set(key, await archive.readObjectBytes(key));

    // The replacement would cut objects of 100 lines, but must end the replayed ones where they ended.
    const logs: string[] = [];
    const second = createArchiver({ kafka, topic, groupId, archive, deadLetters, logger: quietLogger(logs), metrics, flushRecords: 100, flushIntervalMs: 200 });
    await second.start();
    try {
      await waitFor('everything archived', async () => (await readArchive(archive)).length >= events.length, 30_000);
      const archived = await readArchive(archive);
      expect(archived).toHaveLength(events.length);
      expect(new Set(archived.map((l) => l.event.event_id)).size).toBe(events.length);
      for (const [key, bytes] of before) expect((await archive.readObjectBytes(key)).equals(bytes)).toBe(true);
      expect(logs.filter((l) => l.includes('replaying into an existing archive object')).length).toBeGreaterThanOrEqual(3);
    } finally {
      await second.stop();
    }
  });

  it('keeps counting exactly once when a pipeline is stopped and a new one takes over mid-stream', async () => {
    // Objects of 400 lines and no time-based flush: each partition's tail waits in memory.
    const run = await startPipelines({ flushRecords: 400, flushIntervalMs: 600_000 });
    try {
      const first = makeEvents(3000);
      await produceEvents(producer, run.topic, first);
      await waitFor('every event counted', async () => sum(await rollupTotals(run.warehouse)) === first.length, 30_000);
      const buffered = async () => (await run.metrics.bufferedRecords.get()).values.reduce((n, v) => n + v.value, 0);
      const archivedBeforeStop = await waitFor(
        'every event archived or buffered',
        async () => {
          const archived = (await readArchive(run.archive)).length;
          return archived + (await buffered()) === first.length ? archived : undefined;
        },
        30_000,
      );
      expect(archivedBeforeStop).toBeLessThan(first.length);
      // A clean stop archives what is buffered and commits it before leaving the group.
      await Promise.all([run.archiver.stop(), run.live.stop()]);
      expect((await readArchive(run.archive)).length).toBe(first.length);

      const second = makeEvents(3000);
      await produceEvents(producer, run.topic, second);
      const registry = createMetricsRegistry({ service: 'stream-consumer', defaultMetrics: false });
      const metrics = createConsumerMetrics(registry);
      const deadLetters = createDeadLetterPublisher(createEventProducer(kafka), dlqTopicFor(run.topic));
      const archiver = createArchiver({ kafka, topic: run.topic, groupId: `archiver-${run.topic}`, archive: run.archive, deadLetters, logger: quietLogger(), metrics, flushRecords: 400, flushIntervalMs: 200 });
      const live = createLivePipeline({ kafka, topic: run.topic, groupId: `live-${run.topic}`, warehouse: run.warehouse, deadLetters, logger: quietLogger(), metrics });
      run.archiver = archiver;
      run.live = live;
      await Promise.all([archiver.start(), live.start()]);
      const all = [...first, ...second];
      await waitFor('everything archived', async () => (await readArchive(run.archive)).length >= all.length, 60_000);
      await waitFor('everything counted', async () => sum(await rollupTotals(run.warehouse)) >= all.length, 60_000);
      const archived = await readArchive(run.archive);
      expect(archived).toHaveLength(all.length);
      expect(new Set(archived.map((l) => l.event.event_id)).size).toBe(all.length);
      expect(await rollupTotals(run.warehouse)).toEqual(expectedTotals(all));
    } finally {
      await run.stop();
    }
  });
});
