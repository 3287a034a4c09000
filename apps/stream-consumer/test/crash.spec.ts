// The built stream-consumer as a child process, killed with SIGKILL mid-stream and restarted:
// the archive still holds every event exactly once and the rollups count every event once.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { createRawArchive, type RawArchive } from '@clickstream/archive';
import { startTestS3, type TestS3 } from '@clickstream/archive/testing';
import { ensureTopics } from '@clickstream/kafka';
import { startDevBroker, waitFor, type DevBroker } from '@clickstream/kafka/testing';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '@clickstream/warehouse/testing';
import type { Kafka, Producer } from 'kafkajs';
import { expectedTotals, makeEvents, produceEvents, readArchive, rollupTotals, sum, testKafka } from './harness';

jest.setTimeout(240_000);

const MAIN = resolve(__dirname, '../dist/main.js');

let broker: DevBroker;
let s3: TestS3;
let pg: TestPostgres;
let kafka: Kafka;
let producer: Producer;
let warehouse: TestWarehouse;
let archive: RawArchive;
const topic = `crash-${randomUUID().slice(0, 8)}`;
const bucket = `test-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  [broker, s3, pg] = await Promise.all([startDevBroker(), startTestS3(), startTestPostgres()]);
  kafka = testKafka(broker.brokers);
  await ensureTopics(kafka, { topic, partitions: 6 });
  producer = kafka.producer();
  await producer.connect();
  warehouse = await createTestWarehouse(pg.url);
  archive = createRawArchive({ ...s3.config, S3_BUCKET: bucket });
});

afterAll(async () => {
  await producer?.disconnect();
  await warehouse?.drop();
  await Promise.all([broker?.stop(), s3?.destroy(), pg?.stop()]);
});

function startConsumer(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env['PATH'],
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      DATABASE_URL: pg.url,
      DATABASE_SCHEMA: warehouse.schema,
      ...s3.config,
      S3_BUCKET: bucket,
      CONSUMER_PORT: '0',
      CONSUMER_HOST: '127.0.0.1',
      CONSUMER_SESSION_TIMEOUT_MS: '6000',
      ARCHIVE_FLUSH_RECORDS: '300',
      ARCHIVE_FLUSH_SECONDS: '0.3',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return { child, output: () => output, exited };
}

async function archivedCount(): Promise<number> {
  try {
    return (await readArchive(archive)).length;
  } catch {
    return 0; // the bucket may not exist yet
  }
}

describe('stream-consumer killed with SIGKILL', () => {
  it('loses and doubles nothing across three kills and restarts', async () => {
    const events = makeEvents(12_000);
    const parts = [events.slice(0, 4000), events.slice(4000, 8000), events.slice(8000)];

    // Round 1: kill once part of the first 4000 events is archived and counted.
    let consumer = startConsumer();
    await produceEvents(producer, topic, parts[0]);
    await waitFor('part of the archive and rollups', async () => (await archivedCount()) > 600 && sum(await rollupTotals(warehouse)) > 600, 60_000);
    consumer.child.kill('SIGKILL');
    expect(await consumer.exited).toBeNull();

    // Events keep arriving while it is down.
    await produceEvents(producer, topic, parts[1]);

    // Round 2: restart, kill again while it catches up.
    consumer = startConsumer();
    await waitFor('progress after the restart', async () => (await archivedCount()) > 4600, 60_000);
    consumer.child.kill('SIGKILL');
    await consumer.exited;

    // Round 3: restart, send the rest, let it finish, then stop it cleanly.
    consumer = startConsumer();
    await produceEvents(producer, topic, parts[2]);
    await waitFor('every event archived', async () => (await archivedCount()) >= events.length, 120_000);
    await waitFor('every event counted', async () => sum(await rollupTotals(warehouse)) >= events.length, 120_000);
    consumer.child.kill('SIGTERM');
    expect(await consumer.exited).toBe(0);

    const archived = await readArchive(archive);
    expect(archived).toHaveLength(events.length);
    const ids = new Set(archived.map((l) => l.event.event_id));
    expect(ids.size).toBe(events.length);
    for (const e of events) expect(ids.has(e.event_id)).toBe(true);
    expect(await rollupTotals(warehouse)).toEqual(expectedTotals(events));
  });
});
