// The dev broker against unmodified kafkajs 2.2.x: admin, produce/consume, groups, commits.
import { Kafka, logLevel, type Consumer, type EachBatchPayload } from 'kafkajs';
import { spawn } from 'node:child_process';
import { startBroker, type RunningBroker } from '../src';
import { tempDir, waitFor } from './helpers';

jest.setTimeout(120_000);

function client(broker: RunningBroker, clientId = 'test') {
  return new Kafka({ clientId, brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 50 } });
}

describe('kafkajs against kafka-dev-broker', () => {
  const dir = tempDir();
  let broker: RunningBroker;

  beforeAll(async () => {
    broker = await startBroker({ port: 0, dataDir: dir.path, defaultPartitions: 6 });
  });
  afterAll(async () => {
    await broker?.stop();
    dir.remove();
  });

  it('creates, lists, describes and deletes topics', async () => {
    const admin = client(broker).admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 3 }] })).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 3 }] })).toBe(false);
      expect(await admin.listTopics()).toContain('admin-a');
      const meta = await admin.fetchTopicMetadata({ topics: ['admin-a'] });
      expect(meta.topics[0].partitions.map((p) => [p.partitionId, p.leader]).sort()).toEqual([[0, 1], [1, 1], [2, 1]]);
      await admin.deleteTopics({ topics: ['admin-a'] });
      expect(await admin.listTopics()).not.toContain('admin-a');
      await expect(admin.createTopics({ topics: [{ topic: 'bad/name' }] })).rejects.toThrow();
    } finally {
      await admin.disconnect();
    }
  });

  it('produces and consumes 100k messages with exact order per partition', async () => {
    const topic = 'order-100k';
    const kafka = client(broker);
    const producer = kafka.producer();
    await producer.connect();
    const total = 100_000;
    const perKey = new Map<string, number>();
    for (let sent = 0; sent < total; sent += 1000) {
      const messages = Array.from({ length: 1000 }, (_, i) => {
        const n = sent + i;
        const key = `k${n % 37}`;
        return { key, value: `${key}:${n}` };
      });
      await producer.send({ topic, acks: -1, messages });
    }
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'order-check', maxBytesPerPartition: 1024 * 1024 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const byPartition = new Map<number, Array<{ offset: bigint; value: string }>>();
    let received = 0;
    await consumer.run({
      eachBatch: async ({ batch }: EachBatchPayload) => {
        const list = byPartition.get(batch.partition) ?? [];
        for (const m of batch.messages) list.push({ offset: BigInt(m.offset), value: (m.value as Buffer).toString() });
        byPartition.set(batch.partition, list);
        received += batch.messages.length;
      },
    });
    await waitFor('all 100k messages', () => received >= total, 60_000);
    await consumer.disconnect();

    expect(received).toBe(total);
    for (const [, list] of byPartition) {
      // Offsets are consecutive from 0 and a key's values keep the order they were sent in.
      list.forEach((m, i) => expect(m.offset).toBe(BigInt(i)));
      const lastByKey = new Map<string, number>();
      for (const m of list) {
        const [key, n] = m.value.split(':');
        expect(Number(n)).toBeGreaterThan(lastByKey.get(key) ?? -1);
        lastByKey.set(key, Number(n));
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
      }
    }
    expect([...perKey.values()].reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('splits partitions between two group members and rebalances when one leaves', async () => {
    const topic = 'group-split';
    const kafka = client(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
    await admin.disconnect();

    const assigned = new Map<Consumer, number[]>();
    const member = async () => {
      const c = kafka.consumer({ groupId: 'split', sessionTimeout: 6000, heartbeatInterval: 300, rebalanceTimeout: 6000 });
      c.on(c.events.GROUP_JOIN, (e) => assigned.set(c, (e.payload.memberAssignment[topic] ?? []).slice().sort()));
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({ eachMessage: async () => undefined });
      return c;
    };
    const a = await member();
    await waitFor('first member owns all partitions', () => assigned.get(a)?.length === 6);
    const b = await member();
    await waitFor('partitions split 3/3', () => assigned.get(a)?.length === 3 && assigned.get(b)?.length === 3);
    expect([...(assigned.get(a) ?? []), ...(assigned.get(b) ?? [])].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    await b.disconnect();
    await waitFor('survivor owns all partitions again', () => assigned.get(a)?.length === 6);
    await a.disconnect();
  });

  it('takes the partitions back from a member that dies (session timeout)', async () => {
    const topic = 'group-death';
    const kafka = client(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
    await admin.disconnect();

    let mine: number[] = [];
    const a = kafka.consumer({ groupId: 'death', sessionTimeout: 3000, heartbeatInterval: 300, rebalanceTimeout: 10_000 });
    a.on(a.events.GROUP_JOIN, (e) => (mine = (e.payload.memberAssignment[topic] ?? []).slice().sort()));
    await a.connect();
    await a.subscribe({ topic, fromBeginning: true });
    await a.run({ eachMessage: async () => undefined });
    await waitFor('a owns all', () => mine.length === 4);

    // A second member in another process, killed with SIGKILL: it never says goodbye.
    const script = `
      const { Kafka, logLevel } = require('kafkajs');
      const c = new Kafka({ clientId: 'doomed', brokers: ['${broker.address}'], logLevel: logLevel.NOTHING }).consumer({ groupId: 'death', sessionTimeout: 3000, heartbeatInterval: 300, rebalanceTimeout: 10000 });
      c.on(c.events.GROUP_JOIN, (e) => console.log('JOINED ' + JSON.stringify(e.payload.memberAssignment)));
      c.connect().then(() => c.subscribe({ topic: '${topic}', fromBeginning: true })).then(() => c.run({ eachMessage: async () => {} }));
    `;
    const child = spawn(process.execPath, ['-e', script], { cwd: __dirname, stdio: ['ignore', 'pipe', 'inherit'] });
    let childOut = '';
    child.stdout.on('data', (d: Buffer) => (childOut += d.toString()));
    await waitFor('the other process joins and the partitions split', () => childOut.includes('JOINED') && mine.length === 2, 30_000);
    child.kill('SIGKILL');
    await waitFor('partitions come back after the session timeout', () => mine.length === 4, 30_000);
    await a.disconnect();
  });

  it('keeps committed offsets and messages across a broker restart', async () => {
    const topic = 'restart-commits';
    let kafka = client(broker);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'restart-group', topic, partitions: [{ partition: 0, offset: '7' }] });
    const before = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();

    const port = broker.port;
    await broker.stop();
    broker = await startBroker({ port, dataDir: dir.path, defaultPartitions: 6 });
    kafka = client(broker);
    const admin2 = kafka.admin();
    await admin2.connect();
    const offsets = await admin2.fetchOffsets({ groupId: 'restart-group', topics: [topic] });
    expect(offsets[0].partitions.find((p) => p.partition === 0)?.offset).toBe('7');
    expect(await admin2.fetchTopicOffsets(topic)).toEqual(before);
    await admin2.disconnect();
  });
});
