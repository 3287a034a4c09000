// The event producer: acks=all, and a send that rejects with KafkaUnavailableError within a
// deadline when the broker is down or slow — never a hang, so ingest can answer 503 at once.

import { CompressionTypes, Partitioners, type ICustomPartitioner, type Kafka, type Message, type Producer } from 'kafkajs';
import { KafkaUnavailableError } from './errors';

export interface EventProducer {
  connect(): Promise<void>;
  /** Resolves once every message is acknowledged by all in-sync replicas. */
  send(topic: string, messages: Message[]): Promise<void>;
  /** True between a successful connect and a failure or disconnect. */
  readonly connected: boolean;
  disconnect(): Promise<void>;
}

export interface EventProducerOptions {
  /** The longest a send may take before it is refused (ms). */
  sendTimeoutMs?: number;
  compression?: CompressionTypes;
}

const KEY_CACHE_SIZE = 20_000;

/**
 * kafkajs's DefaultPartitioner (murmur2 like the Java client: a key lands on the same partition
 * whoever produced it) with each string key's partition remembered: a session's events share a
 * key, and hashing it again for every event was a measurable share of ingest's CPU. Anything but a
 * string key, or a message with its own partition, goes to the default partitioner as before.
 */
export const CachedKeyPartitioner: ICustomPartitioner = () => {
  const fallback = Partitioners.DefaultPartitioner();
  // Per partition count, so topics of different sizes each keep their own answers.
  const caches = new Map<number, Map<string, number>>();
  return (args) => {
    const { message, partitionMetadata } = args;
    const key = message.key;
    if (typeof key !== 'string' || (message.partition !== null && message.partition !== undefined)) return fallback(args);
    let cache = caches.get(partitionMetadata.length);
    if (!cache) caches.set(partitionMetadata.length, (cache = new Map()));
    let partition = cache.get(key);
    if (partition === undefined) {
      partition = fallback(args);
      if (cache.size >= KEY_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(key, partition);
    }
    return partition;
  };
};

export function createEventProducer(kafka: Kafka, options: EventProducerOptions = {}): EventProducer {
  const timeoutMs = options.sendTimeoutMs ?? 5000;
  const producer: Producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: CachedKeyPartitioner,
    idempotent: false,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  let connected = false;
  producer.on(producer.events.CONNECT, () => {
    connected = true;
  });
  producer.on(producer.events.DISCONNECT, () => {
    connected = false;
  });

  const withDeadline = async <T>(what: string, work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KafkaUnavailableError(`Kafka did not ${what} within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([work, deadline]);
    } catch (err) {
      if (err instanceof KafkaUnavailableError) throw err;
      throw new KafkaUnavailableError(`Kafka could not ${what}: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    get connected() {
      return connected;
    },
    connect: () => withDeadline('connect', producer.connect()),
    async send(topic, messages) {
      // A late rejection of a timed-out send must not become an unhandled rejection.
      const work = producer.send({ topic, messages, acks: -1, timeout: timeoutMs, compression: options.compression });
      work.catch(() => undefined);
      await withDeadline('acknowledge the write', work);
    },
    disconnect: () => producer.disconnect(),
  };
}
