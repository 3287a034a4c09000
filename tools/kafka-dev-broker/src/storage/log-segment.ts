// One segment of a partition log: a .log file of stored batches, its .index file, and the
// in-memory table of its batches that reads and recovery work from.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32c } from './crc32c';
import { CorruptBatchError } from './errors';
import { LOG_OVERHEAD, BATCH_HEADER_BYTES, readBatchHeader, setBaseOffset, verifyCrc, type BatchSpan } from './record-batch';
import type { StorageLogger } from './storage-logger';

/*
 * Index file format: one 32-byte big-endian entry per batch, in log order.
 *   0  baseOffset      int64   absolute offset of the batch's first record
 *   8  lastOffsetDelta int32   the batch holds offsets baseOffset .. baseOffset + lastOffsetDelta
 *  12  position        uint32  byte position of the batch in the .log file
 *  16  size            int32   bytes of the whole batch
 *  20  maxTimestamp    int64   the batch's maxTimestamp (for retention and ListOffsets)
 *  28  crc             uint32  CRC-32C of bytes 0..27, so a torn or stale entry is recognised
 * Every batch has an entry (not a sparse index): the whole table is loaded at startup, which is
 * what lets a closed segment be opened without reading its log. The active segment's index is
 * written when the segment is closed or rolled, never per append: startup always re-verifies the
 * active segment from its log anyway.
 */
export const INDEX_ENTRY_BYTES = 32;
const SEGMENT_NAME = /^(\d{20})\.log$/;
// Large enough that scanning a segment costs few syscalls, small enough to allocate per scan.
const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;

export function segmentBaseName(baseOffset: bigint): string {
  return baseOffset.toString().padStart(20, '0');
}

/** The base offset named by a segment log file name, or undefined for other files. */
export function parseSegmentFileName(name: string): bigint | undefined {
  const m = SEGMENT_NAME.exec(name);
  return m ? BigInt(m[1]) : undefined;
}

export interface RecoveryOptions {
  /** The active segment: every batch is checked by CRC, not only its header. */
  verifyAll: boolean;
  log: StorageLogger;
}

function readFully(fd: number, target: Buffer, targetPos: number, length: number, filePos: number): void {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, target, targetPos + done, length - done, filePos + done);
    if (n === 0) throw new Error(`unexpected end of segment file at byte ${filePos + done}`);
    done += n;
  }
}

/** Reads a file sequentially through one reusable buffer, handing out views of byte ranges. */
class ChunkedReader {
  private chunk: Buffer | undefined;
  private chunkStart = 0;
  private chunkLength = 0;

  constructor(
    private readonly fd: number,
    private readonly fileSize: number,
  ) {}

  /** Bytes [pos, pos + length) of the file, which must exist, as (buffer, offset in it). */
  view(pos: number, length: number): { buf: Buffer; at: number } {
    if (this.chunk && pos >= this.chunkStart && pos + length <= this.chunkStart + this.chunkLength) {
      return { buf: this.chunk, at: pos - this.chunkStart };
    }
    if (length > SCAN_CHUNK_BYTES) {
      const big = Buffer.allocUnsafe(length);
      readFully(this.fd, big, 0, length, pos);
      return { buf: big, at: 0 };
    }
    this.chunk ??= Buffer.allocUnsafe(SCAN_CHUNK_BYTES);
    this.chunkStart = pos;
    this.chunkLength = Math.min(SCAN_CHUNK_BYTES, this.fileSize - pos);
    readFully(this.fd, this.chunk, 0, this.chunkLength, pos);
    return { buf: this.chunk, at: 0 };
  }
}

export class LogSegment {
  readonly logPath: string;
  readonly indexPath: string;
  /** Bytes in the .log file. */
  size = 0;
  /** Number of batches. */
  count = 0;
  /** Newest maxTimestamp of any batch, -1 when empty. */
  maxTimestamp = -1n;

  // The batch table, column-wise in typed arrays: compact, and no object per batch to collect.
  private bases = new BigInt64Array(64);
  private lasts = new BigInt64Array(64);
  private positions = new Float64Array(64);
  private sizes = new Int32Array(64);
  private maxTimestamps = new BigInt64Array(64);

  private fd: number | undefined;
  private indexFd: number | undefined;
  /** Entries [0, indexed) are in the index file. */
  private indexed = 0;
  private logDirty = false;
  private indexDirty = false;

  private constructor(
    dir: string,
    readonly baseOffset: bigint,
    /** Opened for appending (the active segment, or one that was active in this process). */
    private readonly writable: boolean,
  ) {
    const base = segmentBaseName(baseOffset);
    this.logPath = path.join(dir, `${base}.log`);
    this.indexPath = path.join(dir, `${base}.index`);
  }

  /** A new, empty active segment (its files are created now). */
  static create(dir: string, baseOffset: bigint): LogSegment {
    const seg = new LogSegment(dir, baseOffset, true);
    seg.fd = fs.openSync(seg.logPath, 'a+');
    seg.indexFd = fs.openSync(seg.indexPath, 'w');
    return seg;
  }

  /**
   * Opens an existing segment, rebuilding its batch table from the index (closed segments) or
   * from the log itself (the active one, or an index that is missing, short or inconsistent),
   * and truncates the log at the first batch that is torn or corrupt.
   */
  static recover(dir: string, baseOffset: bigint, options: RecoveryOptions): LogSegment {
    const seg = new LogSegment(dir, baseOffset, options.verifyAll);
    const fd = fs.openSync(seg.logPath, options.verifyAll ? 'a+' : 'r');
    seg.fd = fd;
    try {
      seg.recoverFrom(options);
    } catch (err) {
      seg.close();
      throw err;
    }
    // A closed segment's log is reopened when first read: most are never read again, and a
    // partition with many segments should not hold a descriptor for each.
    if (!options.verifyAll) {
      fs.closeSync(fd);
      seg.fd = undefined;
    }
    return seg;
  }

  private recoverFrom({ verifyAll, log }: RecoveryOptions): void {
    const fd = this.fd as number;
    const fileSize = fs.fstatSync(fd).size;
    const indexBytes = fs.existsSync(this.indexPath) ? fs.readFileSync(this.indexPath) : Buffer.alloc(0);
    if (!verifyAll) this.loadIndexPrefix(indexBytes, fileSize);
    const scanFrom = this.count ? this.positions[this.count - 1] + this.sizes[this.count - 1] : 0;
    if (scanFrom < fileSize) {
      const { end, reason } = this.scan(scanFrom, fileSize, verifyAll);
      if (end < fileSize) {
        // Kafka does the same: everything from the first bad batch on is dropped. Batches after
        // a bad one cannot be trusted to be where the lengths say, and were never acknowledged
        // if the damage comes from a crash mid-write.
        if (verifyAll) fs.ftruncateSync(fd, end);
        else fs.truncateSync(this.logPath, end);
        log('partition log segment truncated at a torn or corrupt batch', {
          segment: this.logPath,
          position: end,
          bytesRemoved: fileSize - end,
          reason,
        });
      }
      this.size = end;
    } else {
      this.size = fileSize;
    }
    const expected = this.encodeIndex(0, this.count);
    if (!expected.equals(indexBytes)) {
      fs.writeFileSync(this.indexPath, expected);
      this.indexDirty = true;
    }
    this.indexed = this.count;
    if (this.writable) this.indexFd = fs.openSync(this.indexPath, 'a');
    // Bytes already in the file may only be in the page cache (a crash before their fsync).
    this.logDirty = true;
  }

  /** Takes index entries while they are intact and consistent with each other and the log. */
  private loadIndexPrefix(index: Buffer, fileSize: number): void {
    let expectedPos = 0;
    let expectedOffset = this.baseOffset;
    const entries = Math.floor(index.length / INDEX_ENTRY_BYTES);
    for (let i = 0; i < entries; i++) {
      const at = i * INDEX_ENTRY_BYTES;
      if (crc32c(index, at, at + 28) !== index.readUInt32BE(at + 28)) break;
      const base = index.readBigInt64BE(at);
      const lastDelta = index.readInt32BE(at + 8);
      const position = index.readUInt32BE(at + 12);
      const size = index.readInt32BE(at + 16);
      if (base < expectedOffset || lastDelta < 0 || position !== expectedPos || size < BATCH_HEADER_BYTES || position + size > fileSize) break;
      this.push(base, base + BigInt(lastDelta), position, size, index.readBigInt64BE(at + 20));
      expectedPos = position + size;
      expectedOffset = base + BigInt(lastDelta) + 1n;
    }
    // The index is written after the log; if the log lost its tail (power loss without fsync)
    // the last entry would point at bytes that are not that batch. One header read checks it.
    while (this.count > 0 && !this.headerMatches(this.count - 1)) this.count--;
    this.recomputeMaxTimestamp();
  }

  private headerMatches(i: number): boolean {
    const head = Buffer.allocUnsafe(BATCH_HEADER_BYTES);
    readFully(this.fd as number, head, 0, BATCH_HEADER_BYTES, this.positions[i]);
    try {
      const h = readBatchHeader(head, 0);
      return h.baseOffset === this.bases[i] && LOG_OVERHEAD + h.batchLength === this.sizes[i];
    } catch {
      return false;
    }
  }

  /** Reads batches from `from`, adding them to the table, until the end or the first bad one. */
  private scan(from: number, fileSize: number, verify: boolean): { end: number; reason?: string } {
    const reader = new ChunkedReader(this.fd as number, fileSize);
    let expectedOffset = this.count ? this.lasts[this.count - 1] + 1n : this.baseOffset;
    let pos = from;
    while (pos < fileSize) {
      if (fileSize - pos < BATCH_HEADER_BYTES) return { end: pos, reason: `partial batch header (${fileSize - pos} bytes)` };
      const head = reader.view(pos, BATCH_HEADER_BYTES);
      let header;
      try {
        header = readBatchHeader(head.buf, head.at);
      } catch (err) {
        if (err instanceof CorruptBatchError) return { end: pos, reason: err.message };
        throw err;
      }
      const size = LOG_OVERHEAD + header.batchLength;
      if (size > fileSize - pos) return { end: pos, reason: `batch of ${size} bytes runs past the end of the file` };
      if (header.baseOffset < expectedOffset) return { end: pos, reason: `batch offset ${header.baseOffset} goes backwards (expected ≥ ${expectedOffset})` };
      if (verify) {
        const whole = reader.view(pos, size);
        if (!verifyCrc(whole.buf, whole.at)) return { end: pos, reason: 'CRC-32C mismatch' };
      }
      const last = header.baseOffset + BigInt(header.lastOffsetDelta);
      this.push(header.baseOffset, last, pos, size, header.maxTimestamp);
      expectedOffset = last + 1n;
      pos += size;
    }
    return { end: pos };
  }

  private push(base: bigint, last: bigint, position: number, size: number, maxTimestamp: bigint): void {
    if (this.count === this.bases.length) this.grow();
    const i = this.count++;
    this.bases[i] = base;
    this.lasts[i] = last;
    this.positions[i] = position;
    this.sizes[i] = size;
    this.maxTimestamps[i] = maxTimestamp;
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
  }

  private grow(): void {
    const n = this.bases.length * 2;
    const bases = new BigInt64Array(n);
    const lasts = new BigInt64Array(n);
    const positions = new Float64Array(n);
    const sizes = new Int32Array(n);
    const maxTimestamps = new BigInt64Array(n);
    bases.set(this.bases);
    lasts.set(this.lasts);
    positions.set(this.positions);
    sizes.set(this.sizes);
    maxTimestamps.set(this.maxTimestamps);
    this.bases = bases;
    this.lasts = lasts;
    this.positions = positions;
    this.sizes = sizes;
    this.maxTimestamps = maxTimestamps;
  }

  private recomputeMaxTimestamp(): void {
    this.maxTimestamp = -1n;
    for (let i = 0; i < this.count; i++) if (this.maxTimestamps[i] > this.maxTimestamp) this.maxTimestamp = this.maxTimestamps[i];
  }

  private encodeIndex(from: number, to: number): Buffer {
    const out = Buffer.allocUnsafe((to - from) * INDEX_ENTRY_BYTES);
    for (let i = from; i < to; i++) {
      const at = (i - from) * INDEX_ENTRY_BYTES;
      out.writeBigInt64BE(this.bases[i], at);
      out.writeInt32BE(Number(this.lasts[i] - this.bases[i]), at + 8);
      out.writeUInt32BE(this.positions[i], at + 12);
      out.writeInt32BE(this.sizes[i], at + 16);
      out.writeBigInt64BE(this.maxTimestamps[i], at + 20);
      out.writeUInt32BE(crc32c(out, at, at + 28), at + 28);
    }
    return out;
  }

  /** The offset after the last batch, or undefined when the segment holds none. */
  get nextOffset(): bigint | undefined {
    return this.count ? this.lasts[this.count - 1] + 1n : undefined;
  }

  baseOffsetAt(i: number): bigint {
    return this.bases[i];
  }

  positionAt(i: number): number {
    return this.positions[i];
  }

  sizeAt(i: number): number {
    return this.sizes[i];
  }

  maxTimestampAt(i: number): bigint {
    return this.maxTimestamps[i];
  }

  /** Index of the first batch whose last offset is ≥ offset (the one containing it), or count. */
  findBatch(offset: bigint): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.lasts[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Stores already validated batches: rewrites their base offsets in `data` to consecutive
   * offsets from `firstOffset`, then writes all of `data` with one write. Returns the last offset.
   */
  append(data: Buffer, spans: readonly BatchSpan[], firstOffset: bigint): bigint {
    if (!this.writable || this.fd === undefined) throw new Error(`segment ${this.logPath} is not open for appending`);
    let offset = firstOffset;
    for (const span of spans) {
      setBaseOffset(data, span.position, offset);
      offset += BigInt(span.header.lastOffsetDelta) + 1n;
    }
    const start = this.size;
    try {
      let done = 0;
      while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done);
    } catch (err) {
      // A partial write (disk full) must not leave half a batch that later appends would follow.
      try {
        fs.ftruncateSync(this.fd, start);
      } catch {
        // The truncate failing too leaves a torn tail, which recovery at the next start removes.
      }
      throw err;
    }
    offset = firstOffset;
    for (const span of spans) {
      const last = offset + BigInt(span.header.lastOffsetDelta);
      this.push(offset, last, start + span.position, span.size, span.header.maxTimestamp);
      offset = last + 1n;
    }
    this.size += data.length;
    this.logDirty = true;
    return offset - 1n;
  }

  /** Copies `length` bytes from file position `filePos` into target at targetPos. */
  readInto(target: Buffer, targetPos: number, filePos: number, length: number): void {
    // Closed segments from an earlier run are opened for reading only when first read.
    this.fd ??= fs.openSync(this.logPath, 'r');
    readFully(this.fd, target, targetPos, length, filePos);
  }

  /** Writes the index entries not yet in the index file. */
  writeIndex(): void {
    if (this.indexed === this.count) return;
    const entries = this.encodeIndex(this.indexed, this.count);
    const fd = this.indexFd ?? fs.openSync(this.indexPath, 'a');
    this.indexFd = fd;
    let done = 0;
    while (done < entries.length) done += fs.writeSync(fd, entries, done, entries.length - done);
    this.indexed = this.count;
    this.indexDirty = true;
  }

  /**
   * Ends the segment's time as the active one: writes its remaining index entries and closes the
   * index file (it is complete; its fsync reopens it). The log stays open for reads.
   */
  seal(): void {
    this.writeIndex();
    if (this.indexFd !== undefined) fs.closeSync(this.indexFd);
    this.indexFd = undefined;
  }

  /** Forces written log bytes and index entries to disk. */
  sync(): void {
    if (this.logDirty && this.fd !== undefined) fs.fdatasyncSync(this.fd);
    this.logDirty = false;
    if (this.indexDirty) {
      if (this.indexFd !== undefined) fs.fdatasyncSync(this.indexFd);
      else {
        const fd = fs.openSync(this.indexPath, 'r');
        try {
          fs.fdatasyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
      }
    }
    this.indexDirty = false;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    if (this.indexFd !== undefined) fs.closeSync(this.indexFd);
    this.fd = undefined;
    this.indexFd = undefined;
  }

  /** Closes and removes the segment's files (log first: an index without its log is ignored). */
  delete(): void {
    this.close();
    fs.rmSync(this.logPath, { force: true });
    fs.rmSync(this.indexPath, { force: true });
  }
}
