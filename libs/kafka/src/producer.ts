// The event producer: acks=all, and a send that rejects with KafkaUnavailableError within a
// deadline when the broker is down or slow — never a hang, so ingest can answer 503 at once.
//
// kafkajs finds the partitions' leaders (its admin client: metadata, seed brokers, retries); the
// writes themselves go out as Produce requests encoded in one pass (produce-protocol.ts) on one
// connection per leader. Messages land on the partitions kafkajs's default partitioner picks.

import { Partitioners, type Admin, type ICustomPartitioner, type Kafka, type Message, type PartitionMetadata } from 'kafkajs';
import { BrokerConnection } from './broker-connection';
import { FatalError, KafkaUnavailableError } from './errors';
import { encodeProduceRequest, decodeProduceResponse, errorCodeName, isRetriableCode, type PartitionRecords } from './produce-protocol';

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
  /** Sent with every request (Kafka's client.id). */
  clientId?: string;
  /** How long opening a connection to a broker may take (ms). */
  connectTimeoutMs?: number;
  /** Attempts after a retriable failure (a moved leader, a lost connection) within the deadline. */
  retries?: number;
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

interface TopicRoute {
  partitions: PartitionMetadata[];
  leaders: Map<number, number>;
}

/** A send's messages for one partition, and what became of the last attempt. */
interface PartitionWrite extends PartitionRecords {
  error?: Error;
}

/** Partitions and leaders are asked for again after this long, as kafkajs does (metadataMaxAge). */
const METADATA_MAX_AGE_MS = 300_000;

function append<T>(lists: Map<number, T[]>, key: number, item: T): void {
  const list = lists.get(key);
  if (list) list.push(item);
  else lists.set(key, [item]);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createEventProducer(kafka: Kafka, options: EventProducerOptions = {}): EventProducer {
  const timeoutMs = options.sendTimeoutMs ?? 5000;
  const clientId = options.clientId ?? 'clickstream';
  const retries = options.retries ?? 3;
  const partitioner = CachedKeyPartitioner();
  let admin: Admin | undefined;
  let connected = false;
  let closed = false;
  const brokers = new Map<number, { host: string; port: number }>();
  const routes = new Map<string, { route: Promise<TopicRoute>; fetchedAt: number }>();
  const connections = new Map<number, BrokerConnection>();

  /** The admin client for metadata; one that failed a call is dropped, so the next call starts afresh. */
  const metadata = async <T>(call: (a: Admin) => Promise<T>): Promise<T> => {
    if (!admin) {
      const created = kafka.admin();
      try {
        await created.connect();
      } catch (err) {
        created.disconnect().catch(() => undefined);
        throw err;
      }
      admin = created;
    }
    const current = admin;
    try {
      return await call(current);
    } catch (err) {
      if (admin === current) {
        admin = undefined;
        current.disconnect().catch(() => undefined);
      }
      throw err;
    }
  };

  const refreshBrokers = async () => {
    const cluster = await metadata((a) => a.describeCluster());
    for (const b of cluster.brokers) brokers.set(b.nodeId, { host: b.host, port: b.port });
  };

  const routeFor = (topic: string): Promise<TopicRoute> => {
    const cached = routes.get(topic);
    if (cached && Date.now() - cached.fetchedAt < METADATA_MAX_AGE_MS) return cached.route;
    const route = (async () => {
      const { topics } = await metadata((a) => a.fetchTopicMetadata({ topics: [topic] }));
      const partitions = topics[0]?.partitions ?? [];
      if (partitions.length === 0) throw new KafkaUnavailableError(`Kafka has no partitions for topic ${topic}`);
      const leaders = new Map(partitions.map((p) => [p.partitionId, p.leader]));
      if ([...leaders.values()].some((leader) => !brokers.has(leader))) await refreshBrokers();
      return { partitions: [...partitions].sort((a, b) => a.partitionId - b.partitionId), leaders };
    })();
    const entry = { route, fetchedAt: Date.now() };
    routes.set(topic, entry);
    route.catch(() => {
      if (routes.get(topic) === entry) routes.delete(topic);
    });
    return route;
  };

  const connectionTo = (nodeId: number): BrokerConnection => {
    let connection = connections.get(nodeId);
    if (!connection || !connection.usable) {
      const address = brokers.get(nodeId);
      if (!address) throw new KafkaUnavailableError(`Kafka named broker ${nodeId} as a leader but not among its brokers`);
      connection = new BrokerConnection({ ...address, requestTimeoutMs: timeoutMs, connectTimeoutMs: options.connectTimeoutMs ?? 3000 });
      connections.set(nodeId, connection);
    }
    return connection;
  };

  /** One Produce request to one leader; each partition's write gets its error, if any. */
  const produce = async (topic: string, leader: number, writes: PartitionWrite[]): Promise<void> => {
    try {
      const frame = encodeProduceRequest({ clientId, acks: -1, timeoutMs, topics: [{ topic, partitions: writes }] });
      const results = decodeProduceResponse(await connectionTo(leader).request(frame));
      const byPartition = new Map(results.filter((r) => r.topic === topic).map((r) => [r.partition, r]));
      for (const write of writes) {
        const result = byPartition.get(write.partition);
        if (!result) write.error = new KafkaUnavailableError(`Kafka did not answer for ${topic}/${write.partition}`);
        else if (result.errorCode !== 0) {
          const message = `Kafka refused the write to ${topic}/${write.partition}: ${errorCodeName(result.errorCode)}`;
          write.error = isRetriableCode(result.errorCode) ? new KafkaUnavailableError(message) : new FatalError(message);
        } else write.error = undefined;
      }
    } catch (err) {
      for (const write of writes) write.error = err as Error;
    }
  };

  const sendOnce = async (topic: string, messages: Message[]): Promise<void> => {
    let route = await routeFor(topic);
    const byPartition = new Map<number, Message[]>();
    for (const message of messages) append(byPartition, partitioner({ topic, partitionMetadata: route.partitions, message }), message);
    let pending: PartitionWrite[] = [...byPartition].map(([partition, list]) => ({ partition, messages: list }));
    for (let attempt = 0; ; attempt++) {
      const byLeader = new Map<number, PartitionWrite[]>();
      for (const write of pending) append(byLeader, route.leaders.get(write.partition) ?? -1, write);
      await Promise.all([...byLeader].map(([leader, writes]) => produce(topic, leader, writes)));
      const failed = pending.filter((w) => w.error);
      if (failed.length === 0) {
        connected = true;
        return;
      }
      const fatal = failed.find((w) => w.error instanceof FatalError);
      if (fatal || attempt >= retries || closed) throw fatal?.error ?? failed[0].error;
      // A moved leader or a lost connection: ask for the metadata again and retry what failed.
      routes.delete(topic);
      await sleep(Math.min(1000, 100 * 2 ** attempt));
      route = await routeFor(topic);
      pending = failed;
    }
  };

  const withDeadline = async <T>(what: string, work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KafkaUnavailableError(`Kafka did not ${what} within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([work, deadline]);
    } catch (err) {
      connected = false;
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
    async connect() {
      closed = false;
      routes.clear();
      const work = refreshBrokers();
      // A late rejection of a timed-out attempt must not become an unhandled rejection.
      work.catch(() => undefined);
      await withDeadline('connect', work);
      connected = true;
    },
    async send(topic, messages) {
      if (messages.length === 0) return;
      const work = sendOnce(topic, messages);
      work.catch(() => undefined);
      await withDeadline('acknowledge the write', work);
    },
    async disconnect() {
      closed = true;
      connected = false;
      for (const connection of connections.values()) connection.close();
      connections.clear();
      routes.clear();
      const current = admin;
      admin = undefined;
      await current?.disconnect();
    },
  };
}
