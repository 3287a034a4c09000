// GET /ws/live on a listening Fastify app with a real live feed on the dev broker: an anonymous
// upgrade gets an HTTP 401 with the uniform error body; a logged-in client receives ticks (for its
// site when it asks), and closing the socket unsubscribes it.

import { randomUUID } from 'node:crypto';
import { normalize, type CanonicalEvent } from '@clickstream/event-schema';
import { createKafka, ensureTopics, eventMessageKey } from '@clickstream/kafka';
import { startDevBroker, waitFor, type DevBroker } from '@clickstream/kafka/testing';
import { capturedLogger } from '@clickstream/runtime/testing';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Kafka, Producer } from 'kafkajs';
import WebSocket from 'ws';
import type { ApiErrorBody, LiveTick } from '../../shared/api-types';
import { createLiveFeed, type LiveFeed } from './live-feed';
import { registerLiveSocket } from './live-socket';

jest.setTimeout(60_000);

const TOKEN = 'test-token';

function makeEvents(count: number, sites: string[]): CanonicalEvent[] {
  const now = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => {
    const result = normalize(
      { event_id: randomUUID(), event_type: i % 2 ? 'click' : 'page_view', user_id: `u${i}`, session_id: `s${i}`, page: { url: 'https://shop.example/' } },
      { receivedAt: now, siteId: sites[i % sites.length] },
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.event;
  });
}

/** The analyst of a request with the test token, else null (anonymous). */
async function authenticate(request: FastifyRequest): Promise<{ username: string } | null> {
  return request.headers.authorization === `Bearer ${TOKEN}` ? { username: 'alice' } : null;
}

/** Status and body of a refused upgrade. */
function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      reject(new Error('the upgrade was accepted'));
    });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        ws.terminate();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
      });
    });
    ws.on('error', () => undefined); // the refusal also surfaces as an error after unexpected-response
  });
}

/** A logged-in client that collects the ticks it receives. */
async function connectClient(url: string): Promise<{ ws: WebSocket; ticks: LiveTick[] }> {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  const ticks: LiveTick[] = [];
  ws.on('message', (data, isBinary) => {
    expect(isBinary).toBe(false);
    ticks.push(JSON.parse(data.toString()) as LiveTick);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, ticks };
}

describe('/ws/live', () => {
  let broker: DevBroker;
  let kafka: Kafka;
  let producer: Producer;
  let feed: LiveFeed;
  let app: FastifyInstance;
  let topic: string;
  let base: string;

  beforeAll(async () => {
    broker = await startDevBroker();
    kafka = createKafka({ brokers: broker.brokers, clientId: 'web-socket-test', logger: capturedLogger('web-test'), connectionTimeout: 1000, requestTimeout: 5000 });
    topic = `ws-${randomUUID().slice(0, 8)}`;
    await ensureTopics(kafka, { topic, partitions: 2 });
    producer = kafka.producer();
    await producer.connect();
    feed = createLiveFeed({ kafka, topic, groupId: `clickstream-web-test-${randomUUID().slice(0, 8)}`, logger: capturedLogger('web') });
    await feed.start();
    await waitFor('the live feed to connect', () => feed.stats().connected);

    app = Fastify({ logger: false });
    await app.register(fastifyWebsocket);
    await registerLiveSocket(app, { feed, authenticate });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    base = address.replace(/^http/, 'ws');
  });
  afterAll(async () => {
    await app?.close();
    await feed?.stop();
    await producer?.disconnect();
    await broker?.stop();
  });

  it('refuses an anonymous upgrade with HTTP 401 and the uniform error body', async () => {
    const refused = await refusedUpgrade(`${base}/ws/live`);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } } satisfies ApiErrorBody);
    const wrongToken = await refusedUpgrade(`${base}/ws/live?site=site_a`, { authorization: 'Bearer nope' });
    expect(wrongToken.status).toBe(401);
    expect(feed.stats().subscribers).toBe(0);
  });

  it('refuses an invalid site filter with HTTP 400', async () => {
    const refused = await refusedUpgrade(`${base}/ws/live?site=a&site=b`, { authorization: `Bearer ${TOKEN}` });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: 'invalid_query' } });
  });

  it('sends a logged-in client a tick every second, for its ?site= only, and unsubscribes it on close', async () => {
    const all = await connectClient(`${base}/ws/live`);
    const siteB = await connectClient(`${base}/ws/live?site=site_b`);
    try {
      await waitFor('both clients subscribed', () => feed.stats().subscribers === 2);
      await waitFor('a first tick on each', () => all.ticks.length > 0 && siteB.ticks.length > 0);
      expect(all.ticks[0]).toMatchObject({ type: 'tick', per_second: expect.any(Array), recent: expect.any(Array) });
      expect(all.ticks[0].per_second).toHaveLength(60);

      const events = makeEvents(10, ['site_a', 'site_b']);
      await producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: eventMessageKey(e), value: JSON.stringify(e) })) });
      const sum = (ticks: LiveTick[]) => ticks.reduce((n, t) => n + t.events_last_second, 0);
      await waitFor('the events in both clients’ ticks', () => sum(all.ticks) === 10 && sum(siteB.ticks) === 5);
      expect(all.ticks.flatMap((t) => t.recent.map((e) => e.event_id)).sort()).toEqual(events.map((e) => e.event_id).sort());
      const bRecent = siteB.ticks.flatMap((t) => t.recent);
      expect(bRecent.map((e) => e.event_id).sort()).toEqual(events.filter((e) => e.site_id === 'site_b').map((e) => e.event_id).sort());
      expect(bRecent.every((e) => e.site_id === 'site_b')).toBe(true);
    } finally {
      all.ws.close();
      siteB.ws.close();
    }
    await waitFor('both clients unsubscribed', () => feed.stats().subscribers === 0);
  });

  it('registers @fastify/websocket itself on an app that has not', async () => {
    const bare = Fastify({ logger: false });
    try {
      await registerLiveSocket(bare, { feed, authenticate });
      const url = (await bare.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws');
      expect((await refusedUpgrade(`${url}/ws/live`)).status).toBe(401);
      const client = await connectClient(`${url}/ws/live`);
      await waitFor('a tick', () => client.ticks.length > 0);
      client.ws.close();
    } finally {
      await bare.close();
    }
    await waitFor('the client unsubscribed', () => feed.stats().subscribers === 0);
  });
});
