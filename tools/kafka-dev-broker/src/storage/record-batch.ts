// Reading and checking Kafka magic-2 record batches in place, as the broker stores them unchanged.

import { crc32c } from './crc32c';
import { CorruptBatchError } from './errors';
import { readVarint, type Cursor } from './varint';

// Byte positions within a batch (all big-endian). The CRC covers ATTRIBUTES..end, so the broker
// may rewrite BASE_OFFSET (and nothing else) without recomputing it.
export const BASE_OFFSET = 0;
export const BATCH_LENGTH = 8;
export const PARTITION_LEADER_EPOCH = 12;
export const MAGIC = 16;
export const CRC = 17;
export const ATTRIBUTES = 21;
export const LAST_OFFSET_DELTA = 23;
export const BASE_TIMESTAMP = 27;
export const MAX_TIMESTAMP = 35;
export const PRODUCER_ID = 43;
export const PRODUCER_EPOCH = 51;
export const BASE_SEQUENCE = 53;
export const RECORD_COUNT = 57;
/** Size of the fixed batch header; records follow. */
export const BATCH_HEADER_BYTES = 61;
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const LOG_OVERHEAD = 12;

const MIN_BATCH_LENGTH = BATCH_HEADER_BYTES - LOG_OVERHEAD;
const CODEC_MASK = 0x07;
const LOG_APPEND_TIME_FLAG = 0x08;

export interface BatchHeader {
  baseOffset: bigint;
  /** Bytes after the batchLength field: the whole batch is LOG_OVERHEAD + batchLength bytes. */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Where one batch sits in a buffer. */
export interface BatchSpan {
  /** Byte position of the batch within the buffer (not a Kafka offset). */
  position: number;
  /** Whole batch size in bytes (LOG_OVERHEAD + batchLength). */
  size: number;
  header: BatchHeader;
}

/**
 * Parses and checks the fixed header of the batch at `pos`; only the header bytes need be present.
 * Throws CorruptBatchError when fewer than 61 bytes remain, magic is not 2, batchLength is too
 * small for a header, or lastOffsetDelta is negative (the batch would hold no offsets).
 */
export function readBatchHeader(buf: Buffer, pos: number): BatchHeader {
  if (pos < 0 || buf.length - pos < BATCH_HEADER_BYTES) {
    throw new CorruptBatchError(`short record batch header (${Math.max(0, buf.length - pos)} of ${BATCH_HEADER_BYTES} bytes)`, pos);
  }
  const magic = buf.readInt8(pos + MAGIC);
  if (magic !== 2) throw new CorruptBatchError(`unsupported record batch magic ${magic} (only 2 is)`, pos);
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH);
  if (batchLength < MIN_BATCH_LENGTH) throw new CorruptBatchError(`record batch length ${batchLength} is below the header size`, pos);
  const lastOffsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA);
  if (lastOffsetDelta < 0) throw new CorruptBatchError(`negative lastOffsetDelta ${lastOffsetDelta}`, pos);
  return {
    baseOffset: buf.readBigInt64BE(pos + BASE_OFFSET),
    batchLength,
    partitionLeaderEpoch: buf.readInt32BE(pos + PARTITION_LEADER_EPOCH),
    magic,
    crc: buf.readUInt32BE(pos + CRC),
    attributes: buf.readInt16BE(pos + ATTRIBUTES),
    lastOffsetDelta,
    baseTimestamp: buf.readBigInt64BE(pos + BASE_TIMESTAMP),
    maxTimestamp: buf.readBigInt64BE(pos + MAX_TIMESTAMP),
    producerId: buf.readBigInt64BE(pos + PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE),
    recordCount: buf.readInt32BE(pos + RECORD_COUNT),
  };
}

/**
 * Splits a buffer of concatenated batches (a produce request's record set) into spans. The
 * batches must fill the buffer exactly; an empty buffer gives no spans. CRCs are not checked here.
 */
export function splitBatches(buf: Buffer): BatchSpan[] {
  const spans: BatchSpan[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const header = readBatchHeader(buf, pos);
    const size = LOG_OVERHEAD + header.batchLength;
    if (size > buf.length - pos) {
      throw new CorruptBatchError(`record batch of ${size} bytes runs past the end of the data (${buf.length - pos} bytes left)`, pos);
    }
    spans.push({ position: pos, size, header });
    pos += size;
  }
  return spans;
}

/** Rewrites the base offset of the batch at `pos` (outside the CRC, so the batch stays valid). */
export function setBaseOffset(buf: Buffer, pos: number, offset: bigint): void {
  buf.writeBigInt64BE(offset, pos + BASE_OFFSET);
}

/** True when the whole batch at `pos` is in `buf` and its stored CRC-32C matches its bytes. */
export function verifyCrc(buf: Buffer, pos: number): boolean {
  if (buf.length - pos < BATCH_HEADER_BYTES) return false;
  const end = pos + LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH);
  if (end > buf.length || end < pos + BATCH_HEADER_BYTES) return false;
  return crc32c(buf, pos + ATTRIBUTES, end) === buf.readUInt32BE(pos + CRC);
}

/** Compression codec from the attributes: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
export function compressionCodec(attributes: number): number {
  return attributes & CODEC_MASK;
}

/**
 * [offsetDelta, timestamp] of every record of the uncompressed batch at `pos` (the whole batch
 * must be in buf), or undefined for a compressed batch, whose records the broker never decodes.
 * With LogAppendTime every record's timestamp is the batch's maxTimestamp, as Kafka defines.
 * Throws CorruptBatchError when the records do not parse.
 */
export function recordTimestamps(buf: Buffer, pos: number): Array<[offsetDelta: number, timestamp: bigint]> | undefined {
  const header = readBatchHeader(buf, pos);
  if (compressionCodec(header.attributes) !== 0) return undefined;
  const end = pos + LOG_OVERHEAD + header.batchLength;
  if (end > buf.length) throw new CorruptBatchError('record batch runs past the end of the data', pos);
  const logAppendTime = (header.attributes & LOG_APPEND_TIME_FLAG) !== 0;
  const out: Array<[number, bigint]> = [];
  const cur: Cursor = { pos: pos + BATCH_HEADER_BYTES };
  for (let i = 0; i < header.recordCount; i++) {
    const length = readVarint(buf, cur, end);
    const recordEnd = cur.pos + length;
    if (length < 3 || recordEnd > end) throw new CorruptBatchError(`record ${i} has a bad length ${length}`, pos);
    cur.pos += 1; // record attributes, unused
    const timestampDelta = readVarint(buf, cur, recordEnd);
    const offsetDelta = readVarint(buf, cur, recordEnd);
    out.push([offsetDelta, logAppendTime ? header.maxTimestamp : header.baseTimestamp + BigInt(timestampDelta)]);
    cur.pos = recordEnd;
  }
  return out;
}
