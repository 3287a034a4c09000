// Hands events to Kafka. Requests that arrive together share one produce request (a short
// linger, like Kafka's linger.ms), because one produce per HTTP request would cap single-event
// traffic at what the client library can send; every request still waits for its own events'
// acks=all acknowledgement before it answers.

import type { CanonicalEvent } from '@clickstream/event-schema';
import { eventMessageKey, type EventProducer } from '@clickstream/kafka';
import type { Message } from 'kafkajs';
import type { IngestMetrics } from './metrics';

export interface EventPublisher {
  publish(events: readonly CanonicalEvent[]): Promise<void>;
}

export interface EventPublisherOptions {
  producer: EventProducer;
  topic: string;
  metrics?: IngestMetrics;
  lingerMs?: number;
  maxBatchMessages?: number;
}

interface Pending {
  messages: Message[];
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

export function createEventPublisher(options: EventPublisherOptions): EventPublisher {
  const lingerMs = options.lingerMs ?? 2;
  // kafkajs groups a send's messages by partition in O(n²) (it copies the list per message), so sends stay small.
  const maxMessages = options.maxBatchMessages ?? 400;
  let pending: Pending | undefined;
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = undefined;
    if (!batch) return;
    const started = process.hrtime.bigint();
    options.producer.send(options.topic, batch.messages).then(
      () => {
        options.metrics?.produceDuration.observe({ outcome: 'ok' }, Number(process.hrtime.bigint() - started) / 1e9);
        for (const w of batch.waiters) w.resolve();
      },
      (err: unknown) => {
        options.metrics?.produceDuration.observe({ outcome: 'error' }, Number(process.hrtime.bigint() - started) / 1e9);
        for (const w of batch.waiters) w.reject(err);
      },
    );
  };

  return {
    publish(events) {
      if (events.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        pending ??= { messages: [], waiters: [] };
        for (const event of events) pending.messages.push({ key: eventMessageKey(event), value: JSON.stringify(event) });
        pending.waiters.push({ resolve, reject });
        if (pending.messages.length >= maxMessages) flush();
        else timer ??= setTimeout(flush, lingerMs);
      });
    },
  };
}
