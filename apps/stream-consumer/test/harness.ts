// Shared pieces of the stream-consumer integration tests: generated events, a producer that
// writes them as ingest does, and readers of what landed in S3, PostgreSQL and the DLQ.

import { randomUUID } from 'node:crypto';
import { normalize, type CanonicalEvent } from '@clickstream/event-schema';
import { createKafka, eventMessageKey } from '@clickstream/kafka';
import type { RawArchive } from '@clickstream/archive';
import { createLogger, type Logger } from '@clickstream/runtime';
import { capturedLogger } from '@clickstream/runtime/testing';
import type { Warehouse } from '@clickstream/warehouse';
import { logLevel, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';

const DEBUG_LOGS = process.env['DEBUG_LOGS'] === '1';

export const EVENT_TYPES = ['page_view', 'click', 'scroll', 'page_close'] as const;

/** Deterministic canonical events spread over users, sessions, types and a few minutes. */
export function makeEvents(count: number, options: { seed?: string; start?: number } = {}): CanonicalEvent[] {
  const seed = options.seed ?? randomUUID().slice(0, 8);
  const start = options.start ?? Date.UTC(2026, 10, 23, 10, 0, 0);
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(start + i * 37).toISOString();
    const type = EVENT_TYPES[i % EVENT_TYPES.length];
    const result = normalize(
      {
        event_id: randomUUID(),
        event_type: type,
        user_id: `user_${i % 17}`,
        session_id: `session_${seed}_${i % 41}`,
        event_time: at,
        page: { url: `https://shop.example/p/${i % 5}` },
        ...(type === 'click' ? { button_id: 'buy' } : {}),
        ...(type === 'scroll' ? { scroll_depth: i % 100 } : {}),
      },
      { receivedAt: at, siteId: i % 3 === 0 ? 'site_b' : 'site_a' },
    );
    if (!result.ok) throw new Error(`generated event ${i} is invalid: ${JSON.stringify(result.errors)}`);
    return result.event;
  });
}

export const POISON: Buffer[] = [Buffer.from('not json at all'), Buffer.from('{"event_type":"click"}'), Buffer.from([0xc3, 0x28])];

export function quietLogger(lines: string[] = []): Logger {
  return capturedLogger('stream-consumer', lines);
}

export function testKafka(brokers: string): Kafka {
  return createKafka({ brokers, clientId: 'stream-consumer-test', logger: DEBUG_LOGS ? createLogger({ service: 'test', level: 'warn', pretty: false }) : quietLogger(), connectionTimeout: 1000, requestTimeout: 5000 });
}

export async function produceEvents(producer: Producer, topic: string, events: CanonicalEvent[], poisonEvery = 0): Promise<number> {
  let poison = 0;
  for (let i = 0; i < events.length; i += 500) {
    const messages = events.slice(i, i + 500).flatMap((event, j) => {
      const message = { key: eventMessageKey(event), value: JSON.stringify(event) };
      if (poisonEvery > 0 && (i + j) % poisonEvery === poisonEvery - 1) {
        poison++;
        return [message, { key: eventMessageKey(event), value: POISON[poison % POISON.length] }];
      }
      return [message];
    });
    await producer.send({ topic, acks: -1, messages });
  }
  return poison;
}

/** Every line of every archive object under raw/, as parsed events with their object key. */
export async function readArchive(archive: RawArchive): Promise<Array<{ key: string; event: CanonicalEvent }>> {
  const out: Array<{ key: string; event: CanonicalEvent }> = [];
  for await (const object of archive.list({ prefix: 'raw/' })) out.push(...(await readObjectEvents(archive, object.key)));
  return out;
}

/**
 * One object's events. s3rver (unlike S3, whose PUT is atomic) rewrites an object's file in place,
 * so a GET racing a replayed put of the same key can have its response cut off ("aborted"): the
 * object is then read again, from its start, a few times before the error counts.
 */
async function readObjectEvents(archive: RawArchive, key: string, attempts = 5): Promise<Array<{ key: string; event: CanonicalEvent }>> {
  for (let attempt = 1; ; attempt++) {
    try {
      const events: Array<{ key: string; event: CanonicalEvent }> = [];
      for await (const { line } of archive.readLines(key)) events.push({ key, event: JSON.parse(line) as CanonicalEvent });
      return events;
    } catch (err) {
      const cutOff = (err as { code?: string }).code === 'ECONNRESET' || (err as Error).message === 'aborted';
      if (!cutOff || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

export async function rollupTotals(warehouse: Warehouse): Promise<Map<string, number>> {
  const rows = await warehouse.sql<{ site_id: string; user_id: string; event_type: string; n: string }[]>`
    select site_id, user_id, event_type, sum(event_count)::text as n from user_minute_counts group by 1, 2, 3`;
  return new Map(rows.map((r) => [`${r.site_id}/${r.user_id}/${r.event_type}`, Number(r.n)]));
}

export function expectedTotals(events: CanonicalEvent[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const e of events) {
    const key = `${e.site_id}/${e.user_id}/${e.event_type}`;
    totals.set(key, (totals.get(key) ?? 0) + 1);
  }
  return totals;
}

export function sum(map: Map<string, number>): number {
  let n = 0;
  for (const v of map.values()) n += v;
  return n;
}

/** Reads a topic from the beginning until `count` messages arrived (or the timeout). */
export async function readTopic(kafka: Kafka, topic: string, count: number, timeoutMs = 20_000): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${messages.length} of ${count} messages from ${topic}`)), timeoutMs);
    void consumer.run({
      eachMessage: async ({ message }) => {
        messages.push(message);
        if (messages.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return messages;
}

export { logLevel };
