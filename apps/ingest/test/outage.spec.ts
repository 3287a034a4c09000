// Kafka goes away and comes back: ingest answers 503 (never a false 202) while it is down, /ready
// says so, and once it is back every event that got a 202 is in the topic.
import type { CanonicalEvent } from '@clickstream/event-schema';
import { startDevBroker, waitFor, type DevBroker } from '@clickstream/kafka/testing';
import { rmSync } from 'node:fs';
import { readTopic, startIngest, type Harness } from './harness';

jest.setTimeout(90_000);

describe('ingest during a Kafka outage', () => {
  let broker: DevBroker;
  let h: Harness;

  beforeAll(async () => {
    broker = await startDevBroker();
    h = await startIngest(broker.brokers, { sendTimeoutMs: 1500 });
  });
  afterAll(async () => {
    await h?.close();
    await broker?.stop();
    if (broker) rmSync(broker.dataDir, { recursive: true, force: true });
  });

  const post = (n: number) =>
    h.app.inject({
      method: 'POST',
      url: '/api/events',
      headers: { 'content-type': 'application/json' },
      payload: { event_type: 'page_view', user_id: 'u', session_id: `outage-${n}`, page_path: `/p${n}` },
    });

  it('answers 503 with Retry-After while the broker is down, and 202 again with nothing lost after', async () => {
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post(i);
      expect(res.statusCode).toBe(202);
      acknowledged.push(res.json().event_id);
    }

    await broker.kill();
    const down = await post(100);
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe('5');
    expect(down.json().error.code).toBe('kafka_unavailable');
    expect((await h.app.inject({ url: '/ready' })).statusCode).toBe(503);

    broker = await startDevBroker({ dataDir: broker.dataDir, port: broker.port });
    await waitFor('ingest to accept events again', async () => {
      const res = await post(200);
      if (res.statusCode === 202) acknowledged.push(res.json().event_id);
      return res.statusCode === 202;
    }, 60_000);
    await waitFor('/ready to turn 200', async () => (await h.app.inject({ url: '/ready' })).statusCode === 200);
    for (let i = 300; i < 305; i++) {
      const res = await post(i);
      expect(res.statusCode).toBe(202);
      acknowledged.push(res.json().event_id);
    }

    const stored = (await readTopic(broker.brokers, h.topic, acknowledged.length)).map((m) => (JSON.parse((m.value as Buffer).toString()) as CanonicalEvent).event_id);
    expect(stored.filter((id) => acknowledged.includes(id)).sort()).toEqual([...acknowledged].sort());
  });
});
