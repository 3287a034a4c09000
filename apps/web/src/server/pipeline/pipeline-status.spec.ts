// The pipeline health view against the dev broker, PostgreSQL and s3rver: consumer lag from Kafka
// commits and from consumer_offsets, ETL runs and pending objects, archive size and daily volume,
// the dead-letter topic's count and decoded tail, caching, and one broken component at a time.

import { randomUUID } from 'node:crypto';
import { createRawArchive, rawObjectKey, type RawArchive } from '@clickstream/archive';
import { startTestS3, type TestS3 } from '@clickstream/archive/testing';
import { createKafka, deadLetterHeaders, dlqTopicFor, ensureTopics } from '@clickstream/kafka';
import { startDevBroker, type DevBroker } from '@clickstream/kafka/testing';
import { capturedLogger, freePort } from '@clickstream/runtime/testing';
import { applyMinuteCounts, writeConsumerOffsets } from '@clickstream/warehouse';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '@clickstream/warehouse/testing';
import type { Kafka, Producer } from 'kafkajs';
import { createPipelineStatus, lastUtcDays, type PipelineStatus, type PipelineStatusOptions } from './pipeline-status';

jest.setTimeout(120_000);

const DAY_MS = 86_400_000;

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

function testKafka(brokers: string): Kafka {
  return createKafka({ brokers, clientId: 'web-pipeline-test', logger: capturedLogger('web-test'), connectionTimeout: 1000, requestTimeout: 5000 });
}


interface Fixture {
  topic: string;
  groups: { archiver: string; live: string };
  warehouse: TestWarehouse;
  archive: RawArchive;
  statuses: PipelineStatus[];
  status(options?: Partial<PipelineStatusOptions>): PipelineStatus;
}

const fixtures: Fixture[] = [];

async function fixture(options: { partitions?: number; withDeadLetterTopic?: boolean } = {}): Promise<Fixture> {
  const id = randomUUID().slice(0, 8);
  const topic = `pipe-${id}`;
  await ensureTopics(kafka, { topic, partitions: options.partitions ?? 3, withDeadLetterTopic: options.withDeadLetterTopic });
  const warehouse = await createTestWarehouse(pg.url);
  const archive = createRawArchive(s3.newBucket());
  await archive.ensureBucket();
  const groups = { archiver: `archiver-${id}`, live: `live-${id}` };
  const f: Fixture = {
    topic,
    groups,
    warehouse,
    archive,
    statuses: [],
    status: (overrides = {}) => {
      const s = createPipelineStatus({ kafka, sql: warehouse.sql, archive, topic, logger: capturedLogger('web'), groups, ...overrides });
      f.statuses.push(s);
      return s;
    },
  };
  fixtures.push(f);
  return f;
}

afterEach(async () => {
  for (const f of fixtures.splice(0)) {
    await Promise.all(f.statuses.map((s) => s.close()));
    await f.warehouse.drop();
    f.archive.close();
  }
});

async function writeRawObject(archive: RawArchive, topic: string, receivedAt: Date, partition: number, lines = 3): Promise<{ key: string; bytes: number }> {
  const key = rawObjectKey({ topic, partition, firstOffset: String(partition * 100), lastOffset: String(partition * 100 + lines - 1), receivedAt });
  const written = await archive.putObject(
    key,
    Array.from({ length: lines }, (_, i) => JSON.stringify({ n: i, key })),
  );
  return { key, bytes: written.bytes };
}

describe('pipeline status', () => {
  it('reports the archiver lag from Kafka commits and the live lag from consumer_offsets', async () => {
    const f = await fixture({ partitions: 3 });
    for (let p = 0; p < 3; p++) {
      await producer.send({ topic: f.topic, acks: -1, messages: Array.from({ length: 4 }, (_, i) => ({ partition: p, value: `m${p}-${i}` })) });
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId: f.groups.archiver, topic: f.topic, partitions: [{ partition: 0, offset: '2' }, { partition: 1, offset: '4' }] });
    } finally {
      await admin.disconnect();
    }
    await writeConsumerOffsets(f.warehouse.sql, f.groups.live, f.topic, new Map([[0, '4'], [2, '1']]));

    const reply = await f.status().status();
    expect(reply.consumers).toEqual([
      {
        group: f.groups.archiver,
        topic: f.topic,
        lag: 6,
        partitions: [
          { partition: 0, committed: '2', end: '4', lag: 2 },
          { partition: 1, committed: '4', end: '4', lag: 0 },
          { partition: 2, committed: null, end: '4', lag: 4 },
        ],
      },
      {
        group: f.groups.live,
        topic: f.topic,
        lag: 7,
        partitions: [
          { partition: 0, committed: '4', end: '4', lag: 0 },
          { partition: 1, committed: null, end: '4', lag: 4 },
          { partition: 2, committed: '1', end: '4', lag: 3 },
        ],
      },
    ]);
    expect(reply.dlq).toEqual({ topic: dlqTopicFor(f.topic), messages: 0, recent: [] });
  });

  it('reports the ETL runs, loaded and pending objects, rejects, the archive size and 30 days of volume', async () => {
    const f = await fixture();
    const nowMs = Date.now();
    const today = new Date(nowMs);
    const yesterday = new Date(nowMs - DAY_MS);
    const longAgo = new Date(nowMs - 40 * DAY_MS);
    const loadedToday = await writeRawObject(f.archive, f.topic, today, 0);
    const pendingToday = await writeRawObject(f.archive, f.topic, today, 1, 5);
    const pendingYesterday = await writeRawObject(f.archive, f.topic, yesterday, 2, 7);
    const loadedLongAgo = await writeRawObject(f.archive, f.topic, longAgo, 3);
    const notRaw = await f.archive.putObject('raw/notes.ndjson.gz', ['{"not":"an archive object"}']);
    const { sql } = f.warehouse;

    await sql`insert into etl_objects (key, etag, rows, bytes) values
      (${loadedToday.key}, 'e1', 3, ${loadedToday.bytes}),
      (${loadedLongAgo.key}, 'e2', 3, ${loadedLongAgo.bytes}),
      ('raw/dt=2020-01-01/hour=00/gone-p0-0-9.ndjson.gz', 'e3', 10, 1000)`;
    for (let i = 0; i < 22; i++) {
      const started = new Date(nowMs - (22 - i) * 60_000);
      const failed = i === 20;
      await sql`insert into etl_runs (started_at, finished_at, status, objects, rows, rejects, error)
        values (${started}, ${new Date(started.getTime() + 5000)}, ${failed ? 'failed' : 'succeeded'}, ${i}, ${i * 10}, ${i % 2}, ${failed ? 'S3 went away' : null})`;
    }
    await sql`insert into etl_runs (started_at, status) values (${new Date(nowMs)}, 'running')`;
    await sql`insert into etl_rejects (object_key, line_number, reason, line) values
      (${loadedToday.key}, 1, 'not json', 'x'), (${loadedToday.key}, 2, 'not json', 'y'), (${loadedLongAgo.key}, 1, 'invalid event', '{}')`;
    const minute = (at: Date, n: number, site: string) => ({ site_id: site, minute: at, user_id: 'u1', event_type: 'page_view', count: n });
    await applyMinuteCounts(sql, [minute(today, 4, 'site_a'), minute(today, 1, 'site_b'), minute(yesterday, 3, 'site_a'), minute(longAgo, 7, 'site_a')]);

    const reply = await f.status({ now: () => nowMs }).status();

    expect(reply.etl).toMatchObject({
      loaded_objects: 3,
      loaded_bytes: loadedToday.bytes + loadedLongAgo.bytes + 1000,
      pending_objects: 2,
      pending_bytes: pendingToday.bytes + pendingYesterday.bytes,
      rejected_lines: 3,
    });
    expect(reply.etl.error).toBeUndefined();
    expect(reply.etl.runs).toHaveLength(20);
    expect(reply.etl.runs[0]).toMatchObject({ status: 'running', finished_at: null, objects: 0, rows: 0, rejects: 0, error: null });
    expect(reply.etl.runs[1]).toMatchObject({ status: 'succeeded', objects: 21, rows: 210, rejects: 1, error: null });
    expect(reply.etl.runs[2]).toMatchObject({ status: 'failed', objects: 20, error: 'S3 went away' });
    expect(typeof reply.etl.runs[0].id).toBe('number');
    expect(reply.etl.runs[1].finished_at).toBe(new Date(Date.parse(reply.etl.runs[1].started_at) + 5000).toISOString());
    const started = reply.etl.runs.map((r) => r.started_at);
    expect([...started].sort().reverse()).toEqual(started);

    const all = [loadedToday, pendingToday, pendingYesterday, loadedLongAgo];
    expect(reply.archive).toEqual({ objects: 5, bytes: all.reduce((n, o) => n + o.bytes, 0) + notRaw.bytes });

    const days = lastUtcDays(nowMs, 30);
    expect(reply.volume.map((v) => v.day)).toEqual(days);
    expect(reply.volume[29]).toEqual({ day: today.toISOString().slice(0, 10), events: 5, bytes: loadedToday.bytes + pendingToday.bytes });
    expect(reply.volume[28]).toEqual({ day: yesterday.toISOString().slice(0, 10), events: 3, bytes: pendingYesterday.bytes });
    expect(reply.volume.slice(0, 28).every((v) => v.events === 0 && v.bytes === 0)).toBe(true);
    expect(reply.volume_error).toBeUndefined();
    expect(reply.generated_at).toBe(new Date(nowMs).toISOString());
  });

  it('counts the dead-letter messages and shows the newest ones with their headers decoded', async () => {
    const f = await fixture({ partitions: 3 });
    const dlqTopic = dlqTopicFor(f.topic);
    const base = Date.now() - 60_000;
    const reason = (i: number) => ({
      stage: 'ingest' as const,
      code: `code_${i}`,
      message: `message ${i}`,
      source: { topic: f.topic, partition: i % 3, offset: String(1000 + i) },
      failedAt: new Date(base + i * 1000),
    });
    const value = (i: number) => (i === 14 ? 'x'.repeat(5000) : `{"bad":${i}`);
    for (let i = 0; i < 15; i++) {
      await producer.send({
        topic: dlqTopic,
        acks: -1,
        messages: [{ partition: i % 3, value: value(i), headers: deadLetterHeaders(reason(i)), timestamp: String(base + i * 1000) }],
      });
    }
    const status = f.status({ cacheMs: 0 });
    const reply = await status.status();
    expect(reply.dlq.topic).toBe(dlqTopic);
    expect(reply.dlq.error).toBeUndefined();
    expect(reply.dlq.messages).toBe(15);
    expect(reply.dlq.recent).toHaveLength(10);
    const expected = Array.from({ length: 10 }, (_, k) => 14 - k);
    expect(reply.dlq.recent.map((m) => m.headers['error-code'])).toEqual(expected.map((i) => `code_${i}`));
    expect(reply.dlq.recent[1]).toEqual({
      partition: 13 % 3,
      offset: String(Math.floor(13 / 3)),
      timestamp: new Date(base + 13_000).toISOString(),
      headers: deadLetterHeaders(reason(13)),
      value: '{"bad":13',
    });
    expect(reply.dlq.recent[0].value).toBe('x'.repeat(2048));

    // a new dead letter shows on the next reply (the tail is re-read when the offsets move)
    await producer.send({ topic: dlqTopic, acks: -1, messages: [{ partition: 0, value: 'newest', headers: deadLetterHeaders(reason(15)), timestamp: String(base + 15_000) }] });
    const next = await status.status();
    expect(next.dlq.messages).toBe(16);
    expect(next.dlq.recent.map((m) => m.value).slice(0, 2)).toEqual(['newest', 'x'.repeat(2048)]);
    expect(next.dlq.recent).toHaveLength(10);
  });

  it('reports 0 dead letters when the dead-letter topic does not exist yet, without creating it', async () => {
    const f = await fixture({ withDeadLetterTopic: false });
    const reply = await f.status().status();
    expect(reply.dlq).toEqual({ topic: dlqTopicFor(f.topic), messages: 0, recent: [] });
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(dlqTopicFor(f.topic));
    } finally {
      await admin.disconnect();
    }
  });

  it('caches the reply for cacheMs and shares one computation between concurrent callers', async () => {
    const f = await fixture();
    let clock = Date.now();
    const status = f.status({ now: () => clock, cacheMs: 5000 });
    const [a, b] = await Promise.all([status.status(), status.status()]);
    expect(a).toBe(b);
    clock += 4000;
    expect(await status.status()).toBe(a);
    clock += 2000;
    const c = await status.status();
    expect(c).not.toBe(a);
    expect(c.generated_at).toBe(new Date(clock).toISOString());
  });

  it('reports an unreachable Kafka or S3 on the parts that need it and still answers the rest', async () => {
    const f = await fixture();
    await writeConsumerOffsets(f.warehouse.sql, f.groups.live, f.topic, new Map([[0, '1']]));
    await writeRawObject(f.archive, f.topic, new Date(), 0);
    await f.warehouse.sql`insert into etl_runs (status) values ('running')`;
    const downKafka = testKafka(`127.0.0.1:${await freePort()}`);
    const downArchive = createRawArchive({ ...s3.newBucket(), S3_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
    try {
      const noKafka = await f.status({ kafka: downKafka }).status();
      expect(noKafka.consumers.map((c) => [c.group, c.lag, c.partitions.length])).toEqual([
        [f.groups.archiver, 0, 0],
        [f.groups.live, 0, 0],
      ]);
      for (const c of noKafka.consumers) expect(c.error).toEqual(expect.any(String));
      expect(noKafka.dlq.error).toEqual(expect.any(String));
      expect(noKafka.etl.runs).toHaveLength(1);
      expect(noKafka.etl.pending_objects).toBe(1);
      expect(noKafka.archive.objects).toBe(1);
      expect(noKafka.archive.error).toBeUndefined();

      const noS3 = await f.status({ archive: downArchive }).status();
      expect(noS3.archive).toMatchObject({ objects: 0, bytes: 0, error: expect.any(String) });
      expect(noS3.etl.error).toMatch(/pending objects unknown/);
      expect(noS3.etl.runs).toHaveLength(1);
      expect(noS3.volume_error).toEqual(expect.any(String));
      expect(noS3.volume).toHaveLength(30);
      expect(noS3.consumers.every((c) => c.error === undefined)).toBe(true);
      expect(noS3.consumers[1].partitions[0]).toEqual({ partition: 0, committed: '1', end: '0', lag: 0 });
    } finally {
      downArchive.close();
    }
  });
});
