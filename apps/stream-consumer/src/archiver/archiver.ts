// The archiver pipeline (group clickstream-archiver): buffers each partition's events, writes
// them as one NDJSON.gz object per offset range, and commits the offsets only after the put.
//
// Exactly-once in the archive: an object's key is a function of its first and last offsets, and
// a replay (after a crash between put and commit, or a rebalance) cuts its objects at the same
// offsets. When a partition's buffer starts at offset a, the archiver looks for an object that
// already starts at a; if there is one ending at b, the buffer is cut exactly at b, so the
// replayed object is byte-identical to the one already written and overwrites it.

import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { isRetriableS3Error, parseRawObjectKey, rawObjectKey, rawPrefix, type RawArchive } from '@clickstream/archive';
import { CONSUMER_GROUPS, isRetriable, type DeadLetterPublisher } from '@clickstream/kafka';
import type { Logger } from '@clickstream/runtime';
import { decodeEvent } from '../decode-event';
import type { ConsumerMetrics } from '../metrics';
import { PartitionBuffer, type ArchiveUnit } from './partition-buffer';

export interface ArchiverOptions {
  kafka: Kafka;
  topic: string;
  groupId?: string;
  archive: RawArchive;
  deadLetters: DeadLetterPublisher;
  logger: Logger;
  metrics: ConsumerMetrics;
  /** Cut an object after this many lines… */
  flushRecords: number;
  /** …or when its oldest record has waited this long. */
  flushIntervalMs: number;
  /** Backoff of failed puts, DLQ writes and commits. */
  retry?: { initialMs?: number; maxMs?: number };
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
}

export interface Archiver {
  readonly consumer: Consumer;
  start(): Promise<void>;
  /** Archives what is buffered, commits it, and leaves the group. */
  stop(): Promise<void>;
}

/** A partition as this member holds it during one group generation. */
interface PartitionState {
  buffer: PartitionBuffer;
  /** Offset at which the current buffer must be cut (an object from an earlier run ends there). */
  cutAt: bigint | undefined;
  /** Units are written one after the other, so commits go forward in order. */
  writing: Promise<void>;
  pendingUnits: number;
  revoked: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createArchiver(options: ArchiverOptions): Archiver {
  const { kafka, topic, archive, deadLetters, metrics } = options;
  const groupId = options.groupId ?? CONSUMER_GROUPS.archiver;
  const log = options.logger.child({ pipeline: 'archiver', group: groupId, topic });
  const initialMs = options.retry?.initialMs ?? 200;
  const maxMs = options.retry?.maxMs ?? 10_000;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: Math.min(3000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
    maxBytesPerPartition: 2 * 1024 * 1024,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
  });

  let states = new Map<number, PartitionState>();
  /** Per partition, the next offset whose archiving this process has committed (kept across rebalances). */
  const committed = new Map<number, bigint>();
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  const inBatches = new Set<Promise<void>>();

  // Any rebalance: kafkajs will fetch again from the committed offsets, so what is buffered
  // (and not yet being written) is dropped rather than archived twice.
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    for (const [partition, state] of states) {
      state.revoked = true;
      metrics.bufferedRecords.set({ partition: String(partition) }, 0);
    }
    states = new Map();
    log.info({ assigned: event.payload.memberAssignment[topic] ?? [] }, 'joined the group');
  });

  const stateOf = (partition: number): PartitionState => {
    let state = states.get(partition);
    if (!state) {
      state = { buffer: new PartitionBuffer(partition), cutAt: undefined, writing: Promise.resolve(), pendingUnits: 0, revoked: false };
      states.set(partition, state);
    }
    return state;
  };

  /** Runs `step` until it succeeds; gives up (returns false) only when the partition is revoked or the archiver stops hard. */
  const persist = async (state: PartitionState, stage: string, step: () => Promise<unknown>, retriable: (err: unknown) => boolean): Promise<boolean> => {
    for (let attempt = 1; ; attempt++) {
      if (state.revoked) return false;
      try {
        await step();
        return true;
      } catch (err) {
        const kind = retriable(err) ? 'retriable' : 'fatal';
        metrics.failures.inc({ stage, kind });
        const delay = Math.min(maxMs, initialMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        log[attempt === 1 ? 'warn' : 'debug']({ err, stage, partition: state.buffer.partition, attempt, retryInMs: Math.round(delay) }, `${stage} failed; retrying`);
        // A fatal error here (bad credentials, a missing bucket) still must not lose data: the
        // offsets stay uncommitted and the attempt repeats, slower, until an operator fixes it.
        await sleep(kind === 'fatal' ? maxMs : delay);
      }
    }
  };

  const objectKeyOf = (unit: ArchiveUnit): string =>
    rawObjectKey({
      topic,
      partition: unit.partition,
      firstOffset: String(unit.firstLineOffset),
      lastOffset: String(unit.lastLineOffset),
      receivedAt: new Date(unit.firstReceivedAt as string),
    });

  const writeUnit = async (state: PartitionState, unit: ArchiveUnit): Promise<void> => {
    const started = process.hrtime.bigint();
    if (unit.poison.length > 0) {
      if (!(await persist(state, 'dlq', () => deadLetters.publish(unit.poison), isRetriable))) return;
      for (const p of unit.poison) metrics.deadLetters.inc({ pipeline: 'archiver', code: p.reason.code });
      metrics.records.inc({ pipeline: 'archiver', outcome: 'dead_lettered' }, unit.poison.length);
    }
    if (unit.lines.length > 0) {
      const key = objectKeyOf(unit);
      let bytes = 0;
      const put = async () => {
        bytes = (await archive.putObject(key, unit.lines)).bytes;
      };
      if (!(await persist(state, 's3_put', put, isRetriableS3Error))) return;
      metrics.archivedBytes.inc(bytes);
      metrics.archiveObjects.inc();
      metrics.records.inc({ pipeline: 'archiver', outcome: 'archived' }, unit.lines.length);
      log.debug({ key, lines: unit.lines.length, bytes }, 'archived');
    }
    const offset = unit.commitOffset.toString();
    if (!(await persist(state, 'kafka_commit', () => consumer.commitOffsets([{ topic, partition: unit.partition, offset }]), isRetriable))) return;
    committed.set(unit.partition, unit.commitOffset);
    metrics.flushDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
  };

  /** Cuts the partition's buffer into a unit and queues it for writing. */
  const flush = (state: PartitionState): Promise<void> => {
    const unit = state.buffer.cut();
    state.cutAt = undefined;
    metrics.bufferedRecords.set({ partition: String(state.buffer.partition) }, 0);
    if (!unit) return state.writing;
    state.pendingUnits++;
    state.writing = state.writing.then(() => writeUnit(state, unit)).finally(() => state.pendingUnits--);
    return state.writing;
  };

  /** Where an object starting at `offset` already exists, the offset it ends at. */
  const existingObjectEnd = async (state: PartitionState, offset: bigint, receivedAt: string): Promise<bigint | undefined> => {
    const iso = new Date(receivedAt).toISOString();
    const prefix = `${rawPrefix(iso.slice(0, 10), Number(iso.slice(11, 13)))}${topic}-p${state.buffer.partition}-${offset}-`;
    let end: bigint | undefined;
    await persist(
      state,
      's3_list',
      async () => {
        end = undefined;
        for await (const object of archive.list({ prefix })) {
          const parsed = parseRawObjectKey(object.key);
          if (parsed) end = BigInt(parsed.lastOffset);
        }
      },
      isRetriableS3Error,
    );
    return end;
  };

  /** Awaits `work` while keeping the group membership alive. */
  const awaitWithHeartbeat = async (work: Promise<unknown>, heartbeat: () => Promise<void>): Promise<void> => {
    let done = false;
    void work.finally(() => (done = true));
    while (!done) {
      await Promise.race([work, sleep(1000)]);
      if (!done) await heartbeat();
    }
  };

  const handleMessage = async (state: PartitionState, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<void> => {
    const partition = state.buffer.partition;
    const offset = BigInt(message.offset);
    const now = Date.now();
    const decoded = decodeEvent(message.value);
    if (!decoded.ok) {
      state.buffer.addPoison(
        offset,
        {
          key: message.key,
          value: message.value ?? '',
          reason: { stage: 'archiver', code: decoded.code, message: decoded.message, source: { topic, partition, offset: message.offset }, failedAt: new Date(now) },
        },
        now,
      );
    } else {
      if (state.buffer.lineCount === 0) {
        // A new object starts here: an earlier run may already have written one from this offset.
        const lookup = existingObjectEnd(state, offset, decoded.event.received_at);
        await awaitWithHeartbeat(lookup, heartbeat);
        state.cutAt = await lookup;
        if (state.cutAt !== undefined) log.info({ partition, from: String(offset), to: String(state.cutAt) }, 'replaying into an existing archive object');
      }
      state.buffer.addLine(offset, decoded.line, decoded.event.received_at, now);
    }
    const full = state.cutAt === undefined && state.buffer.lineCount >= options.flushRecords;
    if (full || (state.cutAt !== undefined && offset >= state.cutAt)) {
      const written = flush(state);
      // Back-pressure: with one unit already queued behind a slow put (S3 down), wait for it.
      if (state.pendingUnits > 1) await awaitWithHeartbeat(written, heartbeat);
    }
  };

  const flushTick = () => {
    const now = Date.now();
    for (const state of states.values()) {
      if (!state.buffer.isEmpty && state.cutAt === undefined && now - state.buffer.startedAt >= options.flushIntervalMs) void flush(state);
    }
  };

  return {
    consumer,
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      timer = setInterval(flushTick, Math.max(50, Math.min(1000, options.flushIntervalMs / 4)));
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
        eachBatch: async ({ batch, heartbeat, resolveOffset, isRunning, isStale }) => {
          if (stopping || batch.isEmpty()) return;
          const work = (async () => {
            const state = stateOf(batch.partition);
            const done = committed.get(batch.partition) ?? -1n;
            for (const message of batch.messages) {
              if (!isRunning() || isStale() || state.revoked || stopping) return;
              if (BigInt(message.offset) < done) {
                metrics.records.inc({ pipeline: 'archiver', outcome: 'skipped_replay' });
                continue;
              }
              await handleMessage(state, message, heartbeat);
              // Read, not committed: kafkajs fetches on from here; the commit follows the put.
              resolveOffset(message.offset);
            }
            metrics.bufferedRecords.set({ partition: String(batch.partition) }, state.buffer.lineCount);
            await heartbeat();
          })();
          inBatches.add(work);
          try {
            await work;
          } finally {
            inBatches.delete(work);
          }
        },
      });
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      // Archive and commit what is buffered while still a group member, then leave. With S3 down
      // this cannot finish: after the deadline the buffers are dropped uncommitted, and the next
      // member of the group reads them again.
      const drained = (async () => {
        await Promise.allSettled([...inBatches]);
        await Promise.all([...states.values()].map((state) => flush(state)));
        return 'done' as const;
      })();
      if ((await Promise.race([drained, sleep(15_000).then(() => 'timeout' as const)])) === 'timeout') {
        log.warn('buffers not archived within 15 s; leaving them to the next member (nothing was committed for them)');
        for (const state of states.values()) state.revoked = true;
        await Promise.allSettled([...inBatches]);
      }
      await consumer.disconnect();
    },
  };
}
