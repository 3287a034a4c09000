// libs/kafka against a real Kafka-protocol broker (the dev broker, or KAFKA_BROKERS).
import { createLogger } from '@clickstream/runtime';
import { randomUUID } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { Partitioners } from 'kafkajs';
import {
  consumerLag,
  createConsumerRunner,
  createDeadLetterPublisher,
  createEventProducer,
  createKafka,
  dlqTopicFor,
  ensureTopics,
  KafkaUnavailableError,
  readDeadLetterHeaders,
  RetriableError,
  totalLag,
  type ConsumedBatch,
} from '../src';
import { startKafkaBackend, waitFor, type KafkaBackend } from '../src/testing';

jest.setTimeout(60_000);
const logger = createLogger({ service: 'libs-kafka-test', level: 'silent' });

describe('libs/kafka against a real Kafka-protocol broker', () => {
  let backend: KafkaBackend;
  beforeAll(async () => {
    backend = await startKafkaBackend();
  });
  afterAll(() => backend?.stop());

  const kafka = () => createKafka({ brokers: backend.brokers, clientId: 'libs-kafka-test', logger });
  const topicName = () => `t-${randomUUID().slice(0, 8)}`;
  /** A new topic (and its DLQ), its client, and a connected producer. */
  const topicWithProducer = async (partitions: number) => {
    const topic = topicName();
    const k = kafka();
    await ensureTopics(k, { topic, partitions });
    const producer = createEventProducer(k);
    await producer.connect();
    return { topic, k, producer };
  };

  it('ensureTopics creates the topic and its DLQ once', async () => {
    const topic = topicName();
    expect((await ensureTopics(kafka(), { topic, partitions: 3 })).sort()).toEqual([topic, dlqTopicFor(topic)].sort());
    expect(await ensureTopics(kafka(), { topic, partitions: 3 })).toEqual([]);
    const admin = kafka().admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.disconnect();
    expect(meta.topics[0].partitions).toHaveLength(3);
  });

  it('commits a batch only after the handler resolves, and retries a retriable failure', async () => {
    const { topic, k, producer } = await topicWithProducer(1);
    await producer.send(topic, Array.from({ length: 20 }, (_, i) => ({ key: 'k', value: `m${i}` })));

    const groupId = `g-${randomUUID().slice(0, 8)}`;
    let failuresLeft = 2;
    const handled: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const runner = createConsumerRunner({
      kafka: k,
      groupId,
      topic,
      logger,
      retry: { initialMs: 20, maxMs: 50 },
      handler: async (batch: ConsumedBatch) => {
        if (failuresLeft-- > 0) throw new RetriableError('storage is down');
        await gate;
        handled.push(...batch.messages.map((m) => (m.value as Buffer).toString()));
      },
    });
    await runner.start();
    const admin = k.admin();
    await admin.connect();
    const committed = async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions[0].offset;
    // Held in the handler: nothing is committed yet.
    await new Promise((r) => setTimeout(r, 500));
    expect(await committed()).toBe('-1');
    release();
    await waitFor('the commit after the handler', async () => (await committed()) === '20');
    expect(handled).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    expect(totalLag(await consumerLag(admin, groupId, topic))).toBe(0);
    await producer.send(topic, [{ key: 'k', value: 'late' }]);
    await runner.stop();
    expect(totalLag(await consumerLag(admin, groupId, topic))).toBeLessThanOrEqual(1);
    await admin.disconnect();
    await producer.disconnect();
  });

  it('restarts from the last commit after a fatal handler error: nothing is skipped', async () => {
    const { topic, k, producer } = await topicWithProducer(1);
    await producer.send(topic, Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: `m${i}` })));
    await producer.disconnect();
    const groupId = `g-${randomUUID().slice(0, 8)}`;
    let crashed = false;
    const handled: string[] = [];
    const runner = createConsumerRunner({
      kafka: k,
      groupId,
      topic,
      logger,
      handler: async (batch) => {
        if (!crashed) {
          crashed = true;
          throw new Error('a bug, not an outage');
        }
        handled.push(...batch.messages.map((m) => (m.value as Buffer).toString()));
      },
    });
    await runner.start();
    await waitFor('the batch handled after the restart', () => handled.length >= 10, 30_000);
    await runner.stop();
    expect(crashed).toBe(true);
    expect(handled.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
  });

  it('routes kafkajs log lines into pino', async () => {
    const lines: string[] = [];
    const captured = createLogger({ service: 'libs-kafka-test', level: 'debug', pretty: false, destination: { write: (l: string) => lines.push(l) } });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const producer = createEventProducer(createKafka({ brokers: `127.0.0.1:${port}`, clientId: 'logs', logger: captured, connectionTimeout: 300 }), { sendTimeoutMs: 1000 });
    await producer.connect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    const kafkaLines = lines.map((l) => JSON.parse(l) as { component?: string; kafka?: string; service?: string });
    expect(kafkaLines.some((l) => l.component === 'kafkajs' && typeof l.kafka === 'string' && l.service === 'libs-kafka-test')).toBe(true);
  });

  it('publishes dead letters with the headers of DESIGN.md', async () => {
    const { topic, k, producer } = await topicWithProducer(1);
    await createDeadLetterPublisher(producer, dlqTopicFor(topic)).publish([
      {
        value: '{"not json',
        reason: { stage: 'live', code: 'invalid_json', message: 'Unexpected end of JSON', source: { topic, partition: 0, offset: '41' }, failedAt: new Date('2026-03-01T00:00:00Z') },
      },
    ]);
    await producer.disconnect();
    const consumer = k.consumer({ groupId: `dlq-${randomUUID().slice(0, 8)}` });
    await consumer.connect();
    await consumer.subscribe({ topic: dlqTopicFor(topic), fromBeginning: true });
    let got: { value: string; headers: Record<string, string | undefined> } | undefined;
    await consumer.run({
      eachMessage: async ({ message }) => {
        got = { value: (message.value as Buffer).toString(), headers: readDeadLetterHeaders(message.headers as Record<string, Buffer>) };
      },
    });
    await waitFor('the dead letter', () => got);
    await consumer.disconnect();
    expect(got?.value).toBe('{"not json');
    expect(got?.headers).toEqual({
      'error-stage': 'live',
      'error-code': 'invalid_json',
      'error-message': 'Unexpected end of JSON',
      'source-topic': topic,
      'source-partition': '0',
      'source-offset': '41',
      'failed-at': '2026-03-01T00:00:00.000Z',
    });
  });

  it("writes what kafkajs reads back (keys, values, headers, timestamps) on the partitions kafkajs's default partitioner picks", async () => {
    const { topic, k, producer } = await topicWithProducer(6);
    const base = 1_767_225_600_000;
    const messages = Array.from({ length: 600 }, (_, i) => ({
      key: i % 50 === 0 ? null : `site:s-${i % 97}`,
      value: JSON.stringify({ n: i, text: 'ü🙂'.repeat(i % 7) }),
      headers: i % 3 === 0 ? { h: `v${i}` } : undefined,
      timestamp: String(base + i),
    }));
    await producer.send(topic, messages.slice(0, 250));
    await producer.send(topic, messages.slice(250));

    const consumer = k.consumer({ groupId: `g-${randomUUID().slice(0, 8)}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: Array<{ partition: number; key: string | null; n: number; value: string; header: string | null; timestamp: string }> = [];
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const value = (message.value as Buffer).toString();
        got.push({
          partition,
          key: message.key ? message.key.toString() : null,
          n: (JSON.parse(value) as { n: number }).n,
          value,
          header: message.headers?.['h'] ? String(message.headers['h']) : null,
          timestamp: message.timestamp,
        });
      },
    });
    await waitFor('all 600 messages', () => got.length >= 600);
    await consumer.disconnect();
    await producer.disconnect();

    expect(got).toHaveLength(600);
    const arrival = [...got];
    const reference = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
    for (const m of got.sort((a, b) => a.n - b.n)) {
      const sent = messages[m.n];
      expect({ key: m.key, value: m.value, header: m.header, timestamp: m.timestamp }).toEqual({
        key: sent.key,
        value: sent.value,
        header: sent.headers ? sent.headers.h : null,
        timestamp: sent.timestamp,
      });
      if (sent.key !== null) expect(m.partition).toBe(reference({ topic, partitionMetadata, message: { key: sent.key, value: null } }));
    }
    // Each partition keeps the order the messages were sent in.
    for (let p = 0; p < 6; p++) {
      const order = arrival.filter((m) => m.partition === p).map((m) => m.n);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('rejects a send within its deadline when no broker answers, never hangs', async () => {
    // A port that accepts connections and never answers: the worst case for a producer.
    const held = new Set<Socket>();
    const silent = createServer((socket) => held.add(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    const k = createKafka({ brokers: `127.0.0.1:${port}`, clientId: 'down', logger, connectionTimeout: 300, requestTimeout: 500 });
    const producer = createEventProducer(k, { sendTimeoutMs: 1500 });
    // kafkajs may or may not finish connecting to a silent port; either way the send must fail in time.
    await producer.connect().catch(() => undefined);
    const started = Date.now();
    await expect(producer.send('any', [{ value: 'x' }])).rejects.toBeInstanceOf(KafkaUnavailableError);
    expect(Date.now() - started).toBeLessThan(10_000);
    await producer.disconnect().catch(() => undefined);
    for (const socket of held) socket.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('refuses to connect when nothing listens on the broker port', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const producer = createEventProducer(createKafka({ brokers: `127.0.0.1:${port}`, clientId: 'refused', logger, connectionTimeout: 300 }), { sendTimeoutMs: 1500 });
    await expect(producer.connect()).rejects.toBeInstanceOf(KafkaUnavailableError);
    expect(producer.connected).toBe(false);
    await producer.disconnect().catch(() => undefined);
  });
});
