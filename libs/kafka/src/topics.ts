// Names and message keys of Clickstream's Kafka topics and consumer groups (shared/DESIGN.md "Kafka").

import type { CanonicalEvent } from '@clickstream/event-schema';

export const DEFAULT_EVENTS_TOPIC = 'clickstream.events';

/** The dead-letter topic that goes with an events topic. */
export function dlqTopicFor(eventsTopic: string): string {
  return `${eventsTopic}.dlq`;
}

export const CONSUMER_GROUPS = Object.freeze({
  archiver: 'clickstream-archiver',
  live: 'clickstream-live',
  /** Each web instance reads the live feed on its own, from the latest offset. */
  web: (instance: string) => `clickstream-web-${instance}`,
});

/** `site_id:session_id`, so a session's events stay ordered in one partition. */
export function eventMessageKey(event: Pick<CanonicalEvent, 'site_id' | 'session_id'>): string {
  return `${event.site_id}:${event.session_id}`;
}

/** `host:port,host:port` → list, with one clear error for a malformed entry. */
export function parseBrokerList(value: string): string[] {
  const brokers = value
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS must list at least one host:port');
  for (const broker of brokers) {
    const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(broker);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      throw new Error(`KAFKA_BROKERS entry "${broker}" is not host:port`);
    }
  }
  return brokers;
}
