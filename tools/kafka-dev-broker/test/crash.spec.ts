// kill -9 of the broker process in the middle of producing: after a restart every acknowledged
// message is there, exactly once.
import { Kafka, logLevel } from 'kafkajs';
import { spawnBrokerProcess } from '../src';
import { tempDir, waitFor } from './helpers';

jest.setTimeout(120_000);

describe('kafka-dev-broker durability', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('loses no acknowledged message and duplicates none across kill -9', async () => {
    const first = await spawnBrokerProcess(dir.path);
    const kafka = new Kafka({ clientId: 'crash', brokers: [first.address], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    // No client retries: a message the broker acknowledged must appear once, one it did not
    // acknowledge at most once.
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    const acknowledged = new Set<string>();
    let batch = 0;
    let killed = false;
    const sending = (async () => {
      while (!killed) {
        const ids = Array.from({ length: 200 }, (_, i) => `b${batch}-m${i}`);
        batch++;
        try {
          await producer.send({ topic: 'crash', acks: -1, messages: ids.map((id) => ({ key: id, value: id })) });
          for (const id of ids) acknowledged.add(id);
        } catch {
          return;
        }
      }
    })();
    await waitFor('some acknowledged traffic', () => acknowledged.size >= 20_000, 60_000);
    await first.kill();
    killed = true;
    await sending;
    await producer.disconnect().catch(() => undefined);

    const second = await spawnBrokerProcess(dir.path, { port: first.port });
    try {
      const kafka2 = new Kafka({ clientId: 'check', brokers: [second.address], logLevel: logLevel.NOTHING });
      const consumer = kafka2.consumer({ groupId: 'crash-check' });
      await consumer.connect();
      await consumer.subscribe({ topic: 'crash', fromBeginning: true });
      const seen = new Map<string, number>();
      await consumer.run({
        eachMessage: async ({ message }) => {
          const id = (message.value as Buffer).toString();
          seen.set(id, (seen.get(id) ?? 0) + 1);
        },
      });
      const admin = kafka2.admin();
      await admin.connect();
      const ends = await admin.fetchTopicOffsets('crash');
      await admin.disconnect();
      const stored = ends.reduce((n, p) => n + Number(p.high), 0);
      await waitFor('every stored message consumed', () => [...seen.values()].reduce((a, b) => a + b, 0) >= stored, 60_000);
      await consumer.disconnect();

      const missing = [...acknowledged].filter((id) => !seen.has(id));
      const duplicated = [...seen].filter(([, n]) => n > 1);
      expect(missing).toEqual([]);
      expect(duplicated).toEqual([]);
      expect(stored).toBeGreaterThanOrEqual(acknowledged.size);
    } finally {
      await second.kill();
    }
  });
});
