// The broker's storage as a whole: every topic's partition logs, topic metadata, committed
// offsets, and the retention timer, under one data directory.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidConfigError, InvalidPartitionsError, TopicExistsError, UnknownTopicError } from './errors';
import { validateFsyncOptions, type FsyncPolicy } from './fsync-scheduler';
import { OffsetStore } from './offset-store';
import { DEFAULT_SEGMENT_BYTES, PartitionLog, type PartitionLogConfig } from './partition-log';
import { silentStorageLogger, type StorageLogger } from './storage-logger';
import { MAX_PARTITIONS, TopicStore, validateTopicName, type TopicConfig, type TopicInfo } from './topic-store';

/*
 * Data directory layout:
 *   <dataDir>/topics.json                          topic metadata (TopicStore)
 *   <dataDir>/offsets.log                          committed offsets (OffsetStore)
 *   <dataDir>/topics/<topic>/<partition>/          one PartitionLog: <20-digit base offset>.log/.index
 */

export interface LogManagerOptions {
  dataDir: string;
  /** Partitions of auto-created topics (default 6). */
  defaultPartitions?: number;
  /** Default 64 MiB; a topic's "segment.bytes" config overrides it. */
  segmentBytes?: number;
  /** Default none; a topic's "retention.bytes" overrides it (-1: none). */
  retentionBytes?: number;
  /** Default none; a topic's "retention.ms" overrides it (-1: none). */
  retentionMs?: number;
  /** How often retention runs (default 60 s). */
  retentionCheckMs?: number;
  /** For partition logs and committed offsets (default 'interval'). */
  fsync?: FsyncPolicy;
  /** Default 1000. */
  fsyncIntervalMs?: number;
  /** OffsetStore compaction threshold (default 10 000 lines). */
  offsetsCompactAfterLines?: number;
  log?: StorageLogger;
}

export interface TopicSummary {
  readonly name: string;
  readonly partitions: number;
}

/** Topic configs the storage layer applies, and the PartitionLogConfig field each sets. */
const APPLIED_CONFIGS = {
  'segment.bytes': 'segmentBytes',
  'retention.bytes': 'retentionBytes',
  'retention.ms': 'retentionMs',
} as const satisfies Record<string, keyof PartitionLogConfig>;

function parseConfigValue(key: string, value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidConfigError(key, value, 'not an integer');
  if (key === 'segment.bytes' && (n < 1 || n > 2 ** 31 - 1)) throw new InvalidConfigError(key, value, 'must be 1 to 2147483647');
  if (key !== 'segment.bytes' && n < -1) throw new InvalidConfigError(key, value, 'must be -1 (no limit) or more');
  return n;
}

function validateTopicConfig(config: TopicConfig): void {
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== 'string') throw new InvalidConfigError(key, String(value), 'values must be strings');
    if (key in APPLIED_CONFIGS) parseConfigValue(key, value);
  }
}

export class LogManager {
  private readonly logs = new Map<string, PartitionLog[]>();
  private topicList: readonly TopicSummary[] | undefined;
  private readonly retentionTimer: NodeJS.Timeout;
  private closed = false;
  private readonly log: StorageLogger;
  private readonly defaultPartitions: number;

  private constructor(
    private readonly options: LogManagerOptions,
    private readonly topicStore: TopicStore,
    /** Committed consumer-group offsets. */
    readonly offsets: OffsetStore,
  ) {
    this.log = options.log ?? silentStorageLogger;
    this.defaultPartitions = options.defaultPartitions ?? 6;
    const every = options.retentionCheckMs ?? 60_000;
    this.retentionTimer = setInterval(() => this.applyRetention(Date.now()), every);
    this.retentionTimer.unref();
  }

  /** Opens the data directory (creating it if needed) and every partition log in it. */
  static open(options: LogManagerOptions): LogManager {
    const defaultPartitions = options.defaultPartitions ?? 6;
    if (!Number.isInteger(defaultPartitions) || defaultPartitions < 1 || defaultPartitions > MAX_PARTITIONS) {
      throw new InvalidPartitionsError(defaultPartitions);
    }
    const retentionCheckMs = options.retentionCheckMs ?? 60_000;
    if (!Number.isInteger(retentionCheckMs) || retentionCheckMs <= 0) throw new RangeError(`retentionCheckMs must be a positive integer (got ${retentionCheckMs})`);
    validateFsyncOptions(options.fsync ?? 'interval', options.fsyncIntervalMs ?? 1000);
    const log = options.log ?? silentStorageLogger;
    const topicsDir = path.join(options.dataDir, 'topics');
    fs.mkdirSync(topicsDir, { recursive: true });
    const topicStore = TopicStore.open(options.dataDir);
    const offsets = OffsetStore.open(path.join(options.dataDir, 'offsets.log'), {
      fsync: options.fsync,
      fsyncIntervalMs: options.fsyncIntervalMs,
      compactAfterLines: options.offsetsCompactAfterLines,
      log,
    });
    const manager = new LogManager(options, topicStore, offsets);
    try {
      const known = new Set(topicStore.list().map((t) => t.name));
      for (const dir of fs.readdirSync(topicsDir)) {
        if (known.has(dir)) continue;
        // Left by a topic deletion (metadata goes first) or creation that a crash interrupted.
        log('removing the data of a topic that is not in topics.json', { dir: path.join(topicsDir, dir) });
        fs.rmSync(path.join(topicsDir, dir), { recursive: true, force: true });
      }
      for (const t of topicStore.list()) manager.logs.set(t.name, manager.openPartitions(t.name, t.partitions, t.config));
    } catch (err) {
      manager.close();
      throw err;
    }
    return manager;
  }

  /** Creates a topic (default partitions: defaultPartitions); throws TopicExistsError if it exists. */
  createTopic(name: string, partitions: number = this.defaultPartitions, config: TopicConfig = {}): TopicSummary {
    this.assertOpen();
    validateTopicName(name);
    if (this.logs.has(name)) throw new TopicExistsError(name);
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) throw new InvalidPartitionsError(partitions);
    validateTopicConfig(config);
    // Partition directories first, metadata last: a crash in between leaves directories that the
    // next start removes, never a topic in topics.json without its logs.
    const dir = this.topicDir(name);
    fs.rmSync(dir, { recursive: true, force: true });
    const logs = this.openPartitions(name, partitions, config);
    try {
      this.topicStore.create(name, partitions, config);
    } catch (err) {
      for (const l of logs) l.deleteAll();
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    this.logs.set(name, logs);
    this.topicList = undefined;
    return { name, partitions };
  }

  /** The topic, auto-created with defaultPartitions if it does not exist. */
  ensureTopic(name: string): TopicSummary {
    const logs = this.logs.get(name);
    if (logs) return { name, partitions: logs.length };
    return this.createTopic(name);
  }

  /** Deletes a topic's metadata, logs and committed offsets; throws UnknownTopicError. */
  deleteTopic(name: string): void {
    this.assertOpen();
    const logs = this.logs.get(name);
    if (!logs) throw new UnknownTopicError(name);
    // Metadata first: if anything after it fails, the next start removes the leftover directory.
    this.topicStore.delete(name);
    this.logs.delete(name);
    this.topicList = undefined;
    try {
      this.offsets.deleteTopic(name);
    } finally {
      for (const l of logs) l.deleteAll();
      fs.rmSync(this.topicDir(name), { recursive: true, force: true });
    }
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(topic)?.[partition];
  }

  /** Name and partition count of a topic, or undefined. */
  topic(name: string): TopicSummary | undefined {
    const logs = this.logs.get(name);
    return logs && { name, partitions: logs.length };
  }

  /** Every topic, by name (a cached array: do not mutate). */
  topics(): readonly TopicSummary[] {
    this.topicList ??= Object.freeze(this.topicStore.list().map((t) => Object.freeze({ name: t.name, partitions: t.partitions })));
    return this.topicList;
  }

  /** Full metadata of a topic (creation time, config), or undefined. */
  topicInfo(name: string): TopicInfo | undefined {
    return this.topicStore.get(name);
  }

  /** Runs retention on every partition now; returns the number of segments deleted. */
  applyRetention(nowMs: number = Date.now()): number {
    if (this.closed) return 0;
    let deleted = 0;
    for (const [topic, logs] of this.logs) {
      for (let p = 0; p < logs.length; p++) {
        try {
          deleted += logs[p].applyRetention(nowMs);
        } catch (err) {
          this.log('retention failed', { topic, partition: p, error: (err as Error).message });
        }
      }
    }
    return deleted;
  }

  /** Forces every partition log and the offsets to disk now. */
  flush(): void {
    this.assertOpen();
    for (const logs of this.logs.values()) for (const l of logs) l.flush();
    this.offsets.flush();
  }

  /** Stops the retention timer, then flushes and closes everything. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.retentionTimer);
    let failure: unknown;
    for (const logs of this.logs.values()) {
      for (const l of logs) {
        try {
          l.close();
        } catch (err) {
          failure ??= err;
        }
      }
    }
    try {
      this.offsets.close();
    } catch (err) {
      failure ??= err;
    }
    if (failure) throw failure;
  }

  private openPartitions(name: string, partitions: number, topicConfig: TopicConfig): PartitionLog[] {
    const config = this.partitionConfig(name, topicConfig);
    const logs: PartitionLog[] = [];
    try {
      for (let p = 0; p < partitions; p++) logs.push(PartitionLog.open(path.join(this.topicDir(name), String(p)), config));
    } catch (err) {
      for (const l of logs) l.close();
      throw err;
    }
    return logs;
  }

  private partitionConfig(topic: string, topicConfig: TopicConfig): PartitionLogConfig {
    const o = this.options;
    const config: PartitionLogConfig = {
      segmentBytes: o.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
      retentionBytes: o.retentionBytes,
      retentionMs: o.retentionMs,
      fsync: o.fsync,
      fsyncIntervalMs: o.fsyncIntervalMs,
      log: this.log,
    };
    for (const [key, field] of Object.entries(APPLIED_CONFIGS)) {
      const value = topicConfig[key];
      if (value === undefined) continue;
      try {
        config[field] = parseConfigValue(key, value);
      } catch (err) {
        // Validated at creation; only a hand-edited topics.json gets here.
        this.log('ignoring an invalid topic config', { topic, error: (err as Error).message });
      }
    }
    return config;
  }

  private topicDir(name: string): string {
    return path.join(this.options.dataDir, 'topics', name);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the log manager is closed');
  }
}
