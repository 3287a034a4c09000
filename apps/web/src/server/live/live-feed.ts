// The live feed of one web instance: a Kafka consumer of the events topic in the instance's own
// group, counting what arrives (LiveCounter) and sending every subscriber a tick once a second.
// It is a view, not a pipeline stage: it never commits offsets, so every start reads from the
// latest offset and nothing it does holds any other stage back.

import { validateCanonicalEvent } from '@clickstream/event-schema';
import { untilDone, type Logger } from '@clickstream/runtime';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { LiveTick } from '../../shared/api-types';
import { LiveCounter, toLiveEvent, type LiveFilter } from './live-counter';

export interface LiveFeedOptions {
  kafka: Kafka;
  topic: string;
  /** The instance's own group, e.g. CONSUMER_GROUPS.web(instance) from @clickstream/kafka. */
  groupId: string;
  logger: Logger;
  /** Clock for the ticks' `at` (ms since the epoch); default Date.now. */
  now?: () => number;
  /** Most recent events per tick; default 50. */
  recentLimit?: number;
}

export type LiveListener = (tick: LiveTick) => void;

export interface LiveFeedStats {
  events_since_start: number;
  /** The consumer is in its group and fetching. */
  connected: boolean;
  /** Listeners currently subscribed. */
  subscribers: number;
}

export interface LiveFeed {
  /** Starts the ticks and the consumer; never throws for Kafka: it keeps connecting in the background. */
  start(): Promise<void>;
  /** Stops the ticks, drops every listener and leaves the group. */
  stop(): Promise<void>;
  /** Calls `listener` with each tick, for `filter`; returns the unsubscribe function. */
  subscribe(listener: LiveListener, filter?: LiveFilter): () => void;
  stats(): LiveFeedStats;
}

const TICK_MS = 1000;
const decoder = new TextDecoder('utf-8', { fatal: true });

interface Subscription {
  listener: LiveListener;
  filter: LiveFilter;
}

export function createLiveFeed(options: LiveFeedOptions): LiveFeed {
  const { kafka, topic, groupId } = options;
  const now = options.now ?? Date.now;
  const log = options.logger.child({ component: 'live-feed', group: groupId, topic });
  const counter = new LiveCounter({ recentLimit: options.recentLimit ?? 50 });
  const subscriptions = new Set<Subscription>();
  let consumer: Consumer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let connecting: Promise<void> | undefined;
  let attempt: Promise<void> | undefined;
  let started = false;
  let stopping = false;
  let connected = false;

  const record = (message: KafkaMessage) => {
    let parsed: unknown;
    try {
      parsed = message.value ? JSON.parse(decoder.decode(message.value)) : undefined;
    } catch {
      parsed = undefined;
    }
    const result = parsed === undefined ? undefined : validateCanonicalEvent(parsed);
    if (result?.ok) counter.record(toLiveEvent(result.event));
    // The pipelines dead-letter such messages; this view only skips them.
    else log.debug({ offset: message.offset }, 'skipped a message that is not a canonical event');
  };

  const eachBatch = async ({ batch }: EachBatchPayload) => {
    for (const message of batch.messages) record(message);
  };

  const tick = () => {
    const frame = counter.tick(now());
    // One view per distinct filter, shared by the subscribers that use it.
    const views = new Map<string, LiveTick>();
    for (const subscription of [...subscriptions]) {
      const key = subscription.filter.site ?? '';
      let view = views.get(key);
      if (!view) views.set(key, (view = frame.view(subscription.filter)));
      try {
        subscription.listener(view);
      } catch (err) {
        log.warn({ err }, 'a live feed listener failed');
      }
    }
  };

  const createConsumer = (): Consumer => {
    const c = kafka.consumer({
      groupId,
      // Short waits: an idle fetch answers within a second, so `connected` is known promptly.
      maxWaitTimeInMs: 1000,
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
      // kafkajs restarts a crashed consumer itself after retriable failures (Kafka went away).
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    // Connected once a fetch has completed: by then the starting offsets (latest) are resolved.
    c.on(c.events.FETCH, () => {
      if (!connected && !stopping) log.info('live feed is reading Kafka');
      connected = true;
    });
    c.on(c.events.CRASH, (event) => {
      connected = false;
      const { error, restart } = event.payload;
      log.warn({ err: error, restart }, 'live feed consumer crashed');
      // A non-retriable crash is not restarted by kafkajs: start over, with backoff.
      if (!restart && !stopping) connect();
    });
    c.on(c.events.DISCONNECT, () => {
      connected = false;
    });
    c.on(c.events.STOP, () => {
      connected = false;
    });
    return c;
  };

  const connectOnce = () =>
    (attempt = (async () => {
      consumer ??= createConsumer();
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: false });
      // No commits (see the top of the file); a batch is only counted.
      await consumer.run({ autoCommit: false, eachBatch });
    })());

  const connect = () => {
    connecting ??= untilDone(log, 'starting the live feed consumer', connectOnce, () => stopping).finally(() => {
      connecting = undefined;
    });
  };

  return {
    async start() {
      if (started) return;
      started = true;
      timer = setInterval(tick, TICK_MS);
      timer.unref();
      connect();
    },

    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      subscriptions.clear();
      // The retry loop gives up once stopping (its backoff sleep is not waited for); an attempt in
      // progress, bounded by the client's own retries, finishes before the disconnect.
      await attempt?.catch(() => undefined);
      try {
        await consumer?.disconnect();
      } catch (err) {
        log.warn({ err }, 'live feed consumer did not disconnect cleanly');
      }
      connected = false;
    },

    subscribe(listener, filter = {}) {
      const subscription: Subscription = { listener, filter: filter.site === undefined ? {} : { site: filter.site } };
      if (stopping) return () => undefined;
      subscriptions.add(subscription);
      return () => {
        subscriptions.delete(subscription);
      };
    },

    stats() {
      return { events_since_start: counter.eventsSinceStart, connected, subscribers: subscriptions.size };
    },
  };
}
