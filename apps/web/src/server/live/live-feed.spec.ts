// The live feed on the dev broker: what is produced after it started reaches subscribers' ticks
// (counts per type, recent events, site filter); what was there before does not; and a feed
// started while Kafka is down connects once Kafka comes up.

import { randomUUID } from 'node:crypto';
import { normalize, type CanonicalEvent } from '@clickstream/event-schema';
import { createKafka, ensureTopics, eventMessageKey } from '@clickstream/kafka';
import { startDevBroker, waitFor, type DevBroker } from '@clickstream/kafka/testing';
import { capturedLogger, freePort } from '@clickstream/runtime/testing';
import type { Kafka, Producer } from 'kafkajs';
import type { LiveTick } from '../../shared/api-types';
import { createLiveFeed, type LiveFeed } from './live-feed';
import type { LiveFilter } from './live-counter';

jest.setTimeout(90_000);

const TYPES = ['page_view', 'click', 'scroll', 'purchase'] as const;

function makeEvents(count: number, sites: string[]): CanonicalEvent[] {
  const now = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => {
    const type = TYPES[i % TYPES.length];
    const result = normalize(
      {
        event_id: randomUUID(),
        event_type: type,
        user_id: `user_${i % 5}`,
        session_id: `session_${i % 7}`,
        page: { url: `https://shop.example/p/${i % 3}` },
        ...(type === 'click' ? { button_id: 'buy' } : {}),
        ...(type === 'scroll' ? { scroll_depth: 50 } : {}),
        ...(type === 'purchase' ? { order: { order_id: `o${i}`, amount: 10, currency: 'EUR' } } : {}),
      },
      { receivedAt: now, siteId: sites[i % sites.length] },
    );
    if (!result.ok) throw new Error(`generated event ${i} is invalid: ${JSON.stringify(result.errors)}`);
    return result.event;
  });
}

async function produce(producer: Producer, topic: string, events: CanonicalEvent[], extra: Buffer[] = []): Promise<void> {
  await producer.send({
    topic,
    acks: -1,
    messages: [...events.map((e) => ({ key: eventMessageKey(e), value: JSON.stringify(e) })), ...extra.map((value) => ({ key: 'poison', value }))],
  });
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

/** Collects one subscriber's ticks and sums what they say. */
function collect(feed: LiveFeed, filter?: LiveFilter) {
  const ticks: LiveTick[] = [];
  const unsubscribe = feed.subscribe((tick) => ticks.push(tick), filter);
  return {
    ticks,
    unsubscribe,
    counted: () => ticks.reduce((n, t) => n + t.events_last_second, 0),
    byType: () => {
      const out: Record<string, number> = {};
      for (const t of ticks) for (const [type, n] of Object.entries(t.by_type_last_second)) out[type] = (out[type] ?? 0) + n;
      return out;
    },
    recentIds: () => ticks.flatMap((t) => t.recent.map((e) => e.event_id)),
    last: () => ticks[ticks.length - 1],
  };
}

function testKafka(brokers: string): Kafka {
  return createKafka({ brokers, clientId: 'web-live-test', logger: capturedLogger('web-test'), connectionTimeout: 1000, requestTimeout: 5000 });
}


describe('live feed on Kafka', () => {
  let broker: DevBroker;
  let kafka: Kafka;
  let producer: Producer;
  const feeds: LiveFeed[] = [];

  beforeAll(async () => {
    broker = await startDevBroker();
    kafka = testKafka(broker.brokers);
    producer = kafka.producer();
    await producer.connect();
  });
  afterEach(async () => {
    await Promise.all(feeds.splice(0).map((f) => f.stop()));
  });
  afterAll(async () => {
    await producer?.disconnect();
    await broker?.stop();
  });

  async function startFeed(topic: string, options: { recentLimit?: number } = {}): Promise<LiveFeed> {
    const feed = createLiveFeed({ kafka, topic, groupId: `clickstream-web-test-${randomUUID().slice(0, 8)}`, logger: capturedLogger('web'), ...options });
    feeds.push(feed);
    await feed.start();
    await waitFor('the live feed to connect', () => feed.stats().connected);
    return feed;
  }

  it('sends subscribers per-type counts and the recent events, per site when asked, skipping non-events', async () => {
    const topic = `live-${randomUUID().slice(0, 8)}`;
    await ensureTopics(kafka, { topic, partitions: 3 });
    const feed = await startFeed(topic);
    const all = collect(feed);
    const siteB = collect(feed, { site: 'site_b' });
    expect(feed.stats().subscribers).toBe(2);

    const events = makeEvents(30, ['site_a', 'site_b', 'site_a']);
    await produce(producer, topic, events, [Buffer.from('not json'), Buffer.from('{"event_type":"click"}')]);
    const expectedB = events.filter((e) => e.site_id === 'site_b');

    await waitFor('every event in the ticks', () => all.counted() === events.length && siteB.counted() === expectedB.length);
    expect(all.byType()).toEqual(countBy(events, (e) => e.event_type));
    expect(siteB.byType()).toEqual(countBy(expectedB, (e) => e.event_type));
    expect(all.recentIds().sort()).toEqual(events.map((e) => e.event_id).sort());
    expect(siteB.recentIds().sort()).toEqual(expectedB.map((e) => e.event_id).sort());
    expect(siteB.ticks.flatMap((t) => t.recent).every((e) => e.site_id === 'site_b')).toBe(true);

    const last = all.last();
    expect(last.type).toBe('tick');
    expect(last.per_second).toHaveLength(60);
    expect(last.per_second.reduce((s, v) => s + v, 0)).toBe(events.length);
    expect(last.events_since_start).toBe(events.length);
    expect(siteB.last().events_since_start).toBe(expectedB.length);
    expect(feed.stats().events_since_start).toBe(events.length);
    // a recent event carries the live fields
    const sample = all.ticks.flatMap((t) => t.recent).find((e) => e.event_type === 'click');
    const source = events.find((e) => e.event_id === sample?.event_id);
    expect(sample).toEqual({
      event_id: source?.event_id,
      event_type: 'click',
      event_name: null,
      site_id: source?.site_id,
      user_id: source?.user_id,
      session_id: source?.session_id,
      event_time: source?.event_time,
      received_at: source?.received_at,
      path: source?.page?.path,
      button_id: 'buy',
      country: source?.context.country ?? null,
      device_type: source?.context.device_type ?? null,
    });

    all.unsubscribe();
    expect(feed.stats().subscribers).toBe(1);
    const seen = siteB.ticks.length;
    await waitFor('another tick', () => siteB.ticks.length > seen + 1);
    expect(all.ticks.length).toBeLessThanOrEqual(siteB.ticks.length);
    await feed.stop();
    expect(feed.stats()).toMatchObject({ connected: false, subscribers: 0 });
  });

  it('reads from the latest offset: what was produced before it started is not counted', async () => {
    const topic = `live-${randomUUID().slice(0, 8)}`;
    await ensureTopics(kafka, { topic, partitions: 2 });
    const old = makeEvents(12, ['site_a']);
    await produce(producer, topic, old);

    const feed = await startFeed(topic);
    const ticks = collect(feed);
    const fresh = makeEvents(5, ['site_a']);
    await produce(producer, topic, fresh);
    await waitFor('the new events in the ticks', () => ticks.counted() >= fresh.length);
    // and a few more ticks, in case anything old were still on its way
    const seen = ticks.ticks.length;
    await waitFor('two more ticks', () => ticks.ticks.length >= seen + 2);
    expect(ticks.counted()).toBe(fresh.length);
    expect(ticks.recentIds().sort()).toEqual(fresh.map((e) => e.event_id).sort());
    expect(feed.stats().events_since_start).toBe(fresh.length);
  });

  it('starts while Kafka is down, says it is not connected, and connects and counts once Kafka is up', async () => {
    const port = await freePort();
    const downKafka = testKafka(`127.0.0.1:${port}`);
    const lines: string[] = [];
    const topic = `live-${randomUUID().slice(0, 8)}`;
    const feed = createLiveFeed({ kafka: downKafka, topic, groupId: `clickstream-web-test-${randomUUID().slice(0, 8)}`, logger: capturedLogger('web', lines) });
    feeds.push(feed);
    await expect(feed.start()).resolves.toBeUndefined();
    const ticks = collect(feed);
    await waitFor('a failed connection attempt', () => lines.some((l) => l.includes('starting the live feed consumer failed')), 30_000);
    expect(feed.stats().connected).toBe(false);
    // ticks go on meanwhile, empty
    await waitFor('a tick', () => ticks.ticks.length > 0);
    expect(ticks.last().events_last_second).toBe(0);

    const late = await startDevBroker({ port });
    try {
      const lateKafka = testKafka(late.brokers);
      await waitFor('the live feed to connect', () => feed.stats().connected, 45_000);
      const lateProducer = lateKafka.producer();
      await lateProducer.connect();
      try {
        const events = makeEvents(4, ['site_a']);
        await produce(lateProducer, topic, events);
        await waitFor('the events in the ticks', () => ticks.counted() === events.length);
        expect(ticks.recentIds().sort()).toEqual(events.map((e) => e.event_id).sort());
      } finally {
        await lateProducer.disconnect();
      }
    } finally {
      await feed.stop();
      await late.stop();
    }
  });
});
