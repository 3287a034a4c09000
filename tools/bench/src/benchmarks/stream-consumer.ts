// Stream-consumer throughput from a pre-filled topic: the archiver (→ s3rver) and the live
// rollups (→ PostgreSQL), each as its own process, beside a bare kafkajs consume of the same
// topic in the same run. A pipeline's rate runs from its first commit to zero lag.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRawArchive } from '@clickstream/archive';
import { startTestS3 } from '@clickstream/archive/testing';
import { normalize, type CanonicalEvent } from '@clickstream/event-schema';
import { CONSUMER_GROUPS, consumerLag, ensureTopics, eventMessageKey } from '@clickstream/kafka';
import { spawnBrokerProcess } from '@clickstream/kafka-dev-broker';
import { createTestWarehouse, startTestPostgres } from '@clickstream/warehouse/testing';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { formatRate } from '../measure';
import { kafkajsConsume } from './kafka-broker';
import { startService } from '../processes';
import type { BenchResult } from '../result';

const CONSUMER_MAIN = resolve(__dirname, '../../../../apps/stream-consumer/dist/main.js');
const TOPIC = 'bench.events';
const PARTITIONS = 6;
const TARGET = 50_000;

function events(count: number): CanonicalEvent[] {
  const start = Date.UTC(2026, 10, 23, 12);
  const out: CanonicalEvent[] = [];
  for (let i = 0; i < count; i++) {
    const at = new Date(start + i * 3).toISOString();
    const r = normalize(
      {
        event_type: i % 4 === 0 ? 'click' : 'page_view',
        user_id: `user_${i % 5000}`,
        session_id: `session_${i % 20000}`,
        event_time: at,
        page: { url: `https://shop.example/products/${i % 300}?utm_source=news`, title: 'Product', referrer: 'https://www.google.com/' },
        button_id: i % 4 === 0 ? 'add_to_cart' : undefined,
        user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
      },
      { receivedAt: at, siteId: 'bench' },
    );
    if (r.ok) out.push(r.event);
  }
  return out;
}

async function fill(kafka: Kafka, all: CanonicalEvent[]): Promise<void> {
  await ensureTopics(kafka, { topic: TOPIC, partitions: PARTITIONS });
  const producer = kafka.producer();
  await producer.connect();
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < all.length; i += 500) {
    const messages = all.slice(i, i + 500).map((e) => ({ key: eventMessageKey(e), value: JSON.stringify(e) }));
    inflight.push(producer.send({ topic: TOPIC, acks: -1, messages }));
    if (inflight.length >= 4) await inflight.shift();
  }
  await Promise.all(inflight);
  await producer.disconnect();
}

/** Polls the group's lag until it is zero; the rate counts from the first commit (group join and start-up excluded). */
async function drainRate(admin: Admin, group: string, total: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let first: { at: number; lag: number } | undefined;
  for (;;) {
    const lag = (await consumerLag(admin, group, TOPIC)).reduce((n, p) => n + p.lag, 0);
    const now = Date.now();
    if (!first && lag < total) first = { at: now, lag };
    if (lag === 0 && first) {
      // Drained between two polls: fall back to the time since the process was ready.
      return now - first.at >= 500 ? (first.lag / (now - first.at)) * 1000 : (total / (now - started)) * 1000;
    }
    if (now - started > timeoutMs) throw new Error(`${group} still had ${lag} records of lag after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runStreamConsumerBench(options: { quick: boolean }): Promise<BenchResult[]> {
  const total = options.quick ? 120_000 : 300_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-consumer-'));
  const broker = await spawnBrokerProcess(dataDir, { args: ['--partitions', String(PARTITIONS)] });
  const s3 = await startTestS3();
  const pg = await startTestPostgres();
  const warehouse = await createTestWarehouse(pg.url);
  const kafka = new Kafka({ clientId: 'bench', brokers: [broker.address], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await fill(kafka, events(total));
    const bare = await kafkajsConsume(broker.address, TOPIC, total);
    const env = {
      KAFKA_BROKERS: broker.address,
      KAFKA_TOPIC: TOPIC,
      CONSUMER_PORT: '0',
      CONSUMER_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...s3.config,
      DATABASE_URL: pg.url,
      DATABASE_SCHEMA: warehouse.schema,
      // Throughput, not latency: each partition's partial last object waits this long before it is cut.
      ARCHIVE_FLUSH_SECONDS: '1',
    };

    const archiverProcess = await startService(CONSUMER_MAIN, [], { ...env, STREAM_PIPELINES: 'archiver' }, /stream-consumer running/);
    const archived = await drainRate(admin, CONSUMER_GROUPS.archiver, total, 300_000);
    const archiverRss = archiverProcess.peakRss();
    await archiverProcess.stop();
    let lines = 0;
    const archive = createRawArchive(s3.config);
    for await (const object of archive.list({ prefix: 'raw/' })) for await (const _ of archive.readLines(object.key)) lines++;

    const liveProcess = await startService(CONSUMER_MAIN, [], { ...env, STREAM_PIPELINES: 'live' }, /stream-consumer running/);
    const rolled = await drainRate(admin, CONSUMER_GROUPS.live, total, 300_000);
    const liveRss = liveProcess.peakRss();
    await liveProcess.stop();
    const [{ n }] = await warehouse.sql<{ n: string }[]>`select coalesce(sum(event_count), 0)::text as n from user_minute_counts`;

    const check = (what: string, got: number) => (got === total ? undefined : `${what}: ${got} of ${total} events — NOT exact`);
    return [
      {
        name: `archiver: ${formatRate(total)} events from a pre-filled topic → NDJSON.gz objects on s3rver`,
        figure: `${formatRate(archived)} events/s`,
        value: archived,
        unit: 'events/s',
        baseline: { name: 'bare kafkajs consume of the same topic', value: bare },
        target: { text: `≥ ${formatRate(TARGET)} events/s and ≥ 50% of the bare consume`, met: archived >= TARGET && archived >= bare / 2 },
        note: check('archived lines', lines) ?? `every event archived exactly once (${lines} lines); peak RSS ${Math.round(archiverRss / 2 ** 20)} MB`,
      },
      {
        name: `live rollups: ${formatRate(total)} events → user_minute_counts in PostgreSQL (offsets in the same transaction)`,
        figure: `${formatRate(rolled)} events/s`,
        value: rolled,
        unit: 'events/s',
        baseline: { name: 'bare kafkajs consume of the same topic', value: bare },
        target: { text: `≥ ${formatRate(TARGET)} events/s and ≥ 50% of the bare consume`, met: rolled >= TARGET && rolled >= bare / 2 },
        note: check('rolled-up count', Number(n)) ?? `every event counted exactly once; PostgreSQL: ${pg.name}; peak RSS ${Math.round(liveRss / 2 ** 20)} MB`,
      },
    ];
  } finally {
    await admin.disconnect();
    await warehouse.drop();
    await Promise.all([s3.destroy(), pg.stop(), broker.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
