// The durable log of one topic-partition: append record batches, read them back by offset,
// recover after a crash, and drop old segments under retention.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncDirectory } from './atomic-file';
import { CorruptBatchError, OffsetOutOfRangeError } from './errors';
import { FsyncScheduler, validateFsyncOptions, type FsyncPolicy } from './fsync-scheduler';
import { LogSegment, parseSegmentFileName, segmentBaseName } from './log-segment';
import { recordTimestamps, splitBatches, verifyCrc } from './record-batch';
import { silentStorageLogger, type StorageLogger } from './storage-logger';

export interface PartitionLogConfig {
  /** Roll to a new segment when an append would take the active one past this (default 64 MiB). */
  segmentBytes?: number;
  /** Delete the oldest closed segments while the log is larger than this (unset or < 0: no limit). */
  retentionBytes?: number;
  /** Delete closed segments whose newest record is older than this (unset or < 0: no limit). */
  retentionMs?: number;
  /** Default 'interval'. */
  fsync?: FsyncPolicy;
  /** Default 1000. */
  fsyncIntervalMs?: number;
  log?: StorageLogger;
}

export interface AppendResult {
  /** Offset given to the first record. */
  baseOffset: bigint;
  /** Offset given to the last record. */
  lastOffset: bigint;
  batches: number;
}

export interface ReadResult {
  /** Whole stored batches; the first may start before the offset asked for. */
  data: Buffer;
  highWatermark: bigint;
}

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
// Index positions are uint32 and a segment passes segmentBytes by at most one append, so
// Kafka's own int32 bound keeps every position representable.
const MAX_SEGMENT_BYTES = 2 ** 31 - 1;

function validateLimit(name: string, value: number | undefined): void {
  if (value !== undefined && !Number.isSafeInteger(value)) throw new RangeError(`${name} must be an integer (got ${value})`);
}

export class PartitionLog {
  private readonly segments: LogSegment[];
  /** Segments with bytes or index entries not yet fsynced. */
  private readonly dirty = new Set<LogSegment>();
  /** Segment files were created or removed since the directory was last fsynced. */
  private dirDirty = false;
  private next: bigint;
  private closed = false;
  private readonly scheduler: FsyncScheduler;
  private readonly segmentBytes: number;
  private readonly log: StorageLogger;

  private constructor(
    readonly dir: string,
    private readonly config: PartitionLogConfig,
    segments: LogSegment[],
  ) {
    this.segments = segments;
    this.segmentBytes = config.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.log = config.log ?? silentStorageLogger;
    const active = this.active;
    this.next = active.nextOffset ?? active.baseOffset;
    this.scheduler = new FsyncScheduler(config.fsync ?? 'interval', config.fsyncIntervalMs ?? 1000, () => this.sync(), (err) =>
      this.log('partition log fsync failed; further appends are refused', { dir, error: err.message }),
    );
  }

  /** Opens (creating if needed) the log in `dir`, recovering it from whatever a crash left. */
  static open(dir: string, config: PartitionLogConfig = {}): PartitionLog {
    const segmentBytes = config.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isInteger(segmentBytes) || segmentBytes < 1 || segmentBytes > MAX_SEGMENT_BYTES) {
      throw new RangeError(`segmentBytes must be an integer from 1 to ${MAX_SEGMENT_BYTES} (got ${segmentBytes})`);
    }
    validateLimit('retentionBytes', config.retentionBytes);
    validateLimit('retentionMs', config.retentionMs);
    validateFsyncOptions(config.fsync ?? 'interval', config.fsyncIntervalMs ?? 1000);
    const log = config.log ?? silentStorageLogger;
    fs.mkdirSync(dir, { recursive: true });
    const names = fs.readdirSync(dir);
    const bases = names
      .map(parseSegmentFileName)
      .filter((b): b is bigint => b !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // An index whose log is gone is what an interrupted segment deletion leaves behind.
    const logNames = new Set(bases.map(segmentBaseName));
    for (const name of names) {
      if (name.endsWith('.index') && !logNames.has(name.slice(0, -'.index'.length))) fs.rmSync(path.join(dir, name), { force: true });
    }
    const segments: LogSegment[] = [];
    let created = false;
    try {
      for (let i = 0; i < bases.length; i++) {
        segments.push(LogSegment.recover(dir, bases[i], { verifyAll: i === bases.length - 1, log }));
      }
      if (segments.length === 0) {
        segments.push(LogSegment.create(dir, 0n));
        created = true;
      }
    } catch (err) {
      for (const s of segments) s.close();
      throw err;
    }
    const partitionLog = new PartitionLog(dir, config, segments);
    for (const s of segments) partitionLog.dirty.add(s);
    partitionLog.dirDirty = created;
    // Recovery may have rewritten indexes or truncated logs: make that durable per the policy.
    partitionLog.scheduler.written();
    return partitionLog;
  }

  /** The first offset still in the log. */
  get logStartOffset(): bigint {
    return this.segments[0].baseOffset;
  }

  /** The log end offset: the offset the next record will get. */
  get nextOffset(): bigint {
    return this.next;
  }

  /** Bytes in all segment log files. */
  get sizeBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  /**
   * Appends the concatenated batches in `data` (a produce request's record set for this
   * partition) with one write. They are all checked first (structure and CRC-32C): bad data throws
   * CorruptBatchError and nothing is written. Base offsets are rewritten in `data` itself.
   * When this returns, the bytes are in the OS page cache (and on disk with fsync 'always').
   */
  append(data: Buffer): AppendResult {
    this.assertOpen();
    this.scheduler.assertHealthy();
    const spans = splitBatches(data);
    if (spans.length === 0) throw new CorruptBatchError('no record batch in the data', 0);
    for (const span of spans) {
      if (!verifyCrc(data, span.position)) throw new CorruptBatchError('record batch CRC-32C mismatch', span.position);
    }
    let segment = this.active;
    if (segment.size > 0 && segment.size + data.length > this.segmentBytes) segment = this.roll();
    const baseOffset = this.next;
    const lastOffset = segment.append(data, spans, baseOffset);
    this.next = lastOffset + 1n;
    this.dirty.add(segment);
    this.scheduler.written();
    return { baseOffset, lastOffset, batches: spans.length };
  }

  private roll(): LogSegment {
    const previous = this.active;
    previous.seal();
    const segment = LogSegment.create(this.dir, this.next);
    this.segments.push(segment);
    this.dirty.add(previous);
    this.dirDirty = true;
    return segment;
  }

  /**
   * Whole stored batches from the one containing `offset`, adding following batches while the
   * total stays within maxBytes, but always at least one batch when offset < nextOffset.
   * offset == nextOffset gives an empty buffer; outside [logStartOffset, nextOffset] throws
   * OffsetOutOfRangeError.
   */
  read(offset: bigint, maxBytes: number): ReadResult {
    this.assertOpen();
    this.assertInRange(offset);
    const highWatermark = this.next;
    if (offset === this.next) return { data: Buffer.alloc(0), highWatermark };
    // Ranges of contiguous bytes to read: one per segment touched (usually one).
    const ranges: Array<{ segment: LogSegment; position: number; length: number }> = [];
    let total = 0;
    let full = false;
    let s = this.segmentIndexFor(offset);
    let i = this.segments[s].findBatch(offset);
    for (; s < this.segments.length && !full; s++, i = 0) {
      const segment = this.segments[s];
      let length = 0;
      for (; i < segment.count; i++) {
        const size = segment.sizeAt(i);
        if (total > 0 && total + size > maxBytes) {
          full = true;
          break;
        }
        if (length === 0) ranges.push({ segment, position: segment.positionAt(i), length: 0 });
        length += size;
        total += size;
      }
      if (length > 0) ranges[ranges.length - 1].length = length;
    }
    const data = Buffer.allocUnsafe(total);
    let at = 0;
    for (const r of ranges) {
      r.segment.readInto(data, at, r.position, r.length);
      at += r.length;
    }
    return { data, highWatermark };
  }

  /**
   * The earliest offset whose record timestamp is ≥ ts, or undefined when there is none (Kafka
   * then answers the log end offset). Batches are skipped by maxTimestamp; within a batch the
   * records' own timestamps decide, except in compressed batches, which give their base offset.
   */
  offsetForTimestamp(ts: bigint): bigint | undefined {
    this.assertOpen();
    for (const segment of this.segments) {
      if (segment.maxTimestamp < ts) continue;
      for (let i = 0; i < segment.count; i++) {
        if (segment.maxTimestampAt(i) < ts) continue;
        const base = segment.baseOffsetAt(i);
        const batch = Buffer.allocUnsafe(segment.sizeAt(i));
        segment.readInto(batch, 0, segment.positionAt(i), batch.length);
        let records;
        try {
          records = recordTimestamps(batch, 0);
        } catch (err) {
          if (!(err instanceof CorruptBatchError)) throw err;
          return base; // records we cannot parse: the batch's maxTimestamp is all we have
        }
        if (records === undefined) return base;
        const hit = records.find(([, t]) => t >= ts);
        if (hit) return base + BigInt(hit[0]);
      }
    }
    return undefined;
  }

  /**
   * Deletes the oldest closed segments while the log exceeds retentionBytes or the segment's
   * newest timestamp is older than nowMs − retentionMs. The active segment is never deleted.
   * Returns how many segments were deleted.
   */
  applyRetention(nowMs: number): number {
    this.assertOpen();
    const { retentionBytes, retentionMs } = this.config;
    const byBytes = retentionBytes !== undefined && retentionBytes >= 0;
    const byTime = retentionMs !== undefined && retentionMs >= 0;
    if (!byBytes && !byTime) return 0;
    let total = this.sizeBytes;
    let deleted = 0;
    while (this.segments.length > 1) {
      const oldest = this.segments[0];
      const overSize = byBytes && total > (retentionBytes as number);
      const expired = byTime && this.newestTimestampMs(oldest) < nowMs - (retentionMs as number);
      if (!overSize && !expired) break;
      this.segments.shift();
      this.dirty.delete(oldest);
      oldest.delete();
      total -= oldest.size;
      deleted++;
      this.dirDirty = true;
    }
    if (deleted > 0) this.scheduler.written();
    return deleted;
  }

  private newestTimestampMs(segment: LogSegment): number {
    // Batches without timestamps (-1, as old clients send) fall back to the file's age, as in Kafka.
    if (segment.maxTimestamp >= 0n) return Number(segment.maxTimestamp);
    return fs.statSync(segment.logPath).mtimeMs;
  }

  /** Forces everything written so far to disk now. */
  flush(): void {
    this.assertOpen();
    this.sync();
  }

  private sync(): void {
    for (const segment of this.dirty) {
      segment.sync();
      this.dirty.delete(segment);
    }
    if (this.dirDirty) {
      fsyncDirectory(this.dir);
      this.dirDirty = false;
    }
  }

  /** Writes the active segment's index, fsyncs everything and closes the files. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closeFiles(true);
  }

  /** Closes the log and removes its directory. */
  deleteAll(): void {
    if (!this.closed) this.closeFiles(false);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private closeFiles(sync: boolean): void {
    this.closed = true;
    this.scheduler.cancel();
    let failure: unknown;
    try {
      if (sync) {
        this.active.writeIndex();
        this.dirty.add(this.active);
        this.sync();
      }
    } catch (err) {
      failure = err;
    }
    for (const segment of this.segments) {
      try {
        segment.close();
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw failure;
  }

  private segmentIndexFor(offset: bigint): number {
    // The last segment whose base offset is ≤ offset.
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private assertInRange(offset: bigint): void {
    if (offset < this.logStartOffset || offset > this.next) throw new OffsetOutOfRangeError(offset, this.logStartOffset, this.next);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`partition log ${this.dir} is closed`);
  }
}
