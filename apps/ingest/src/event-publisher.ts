// Hands events to Kafka. Requests that arrive while the previous send is in flight share the next
// produce request (batching by round trip, as Nagle does for TCP), because one produce per HTTP
// request would cap single-event traffic at what the client library can send. An idle publisher
// sends at the end of the current event-loop turn (setImmediate), so the requests parsed from one
// poll of the sockets share a send, and a lone event waits for nothing else. Every request still
// waits for its own events' acks=all acknowledgement before it answers.

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
  /**
   * Sends in flight at once; more events wait for one of them to finish. One (the default)
   * measured best: each kafkajs send has a fixed cost, so fewer, fuller sends win.
   */
  maxInFlight?: number;
  maxBatchMessages?: number;
}

interface Pending {
  messages: Message[];
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

export function createEventPublisher(options: EventPublisherOptions): EventPublisher {
  const maxInFlight = options.maxInFlight ?? 1;
  // kafkajs groups a send's messages by partition in O(n²) (it copies the list per message), so
  // sends stay small.
  const maxMessages = options.maxBatchMessages ?? 400;
  const queue: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;

  const pump = () => {
    scheduled = false;
    while (inFlight < maxInFlight && queue.length) {
      const batch = queue.shift() as Pending;
      inFlight++;
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      options.producer.send(options.topic, batch.messages).then(
        () => {
          options.metrics?.produceDuration.observe({ outcome: 'ok' }, seconds());
          for (const w of batch.waiters) w.resolve();
        },
        (err: unknown) => {
          options.metrics?.produceDuration.observe({ outcome: 'error' }, seconds());
          for (const w of batch.waiters) w.reject(err);
        },
      ).finally(() => {
        inFlight--;
        pump();
      });
    }
  };

  return {
    publish(events) {
      if (events.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        let tail = queue[queue.length - 1];
        if (!tail || tail.messages.length + events.length > maxMessages) {
          tail = { messages: [], waiters: [] };
          queue.push(tail);
        }
        for (const event of events) tail.messages.push({ key: eventMessageKey(event), value: JSON.stringify(event) });
        tail.waiters.push({ resolve, reject });
        if (!scheduled && inFlight < maxInFlight) {
          scheduled = true;
          setImmediate(pump);
        }
      });
    },
  };
}
