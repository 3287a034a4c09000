// The Produce request (v3, the version the dev broker and every Kafka since 0.11 take) written
// straight into one buffer, and its response read back. kafkajs builds the same bytes through a
// chain of growing encoders, copying each record five or six times on the way; for ingest, whose
// single-event requests each carry one ~1 KB record, that was a quarter of the worker's CPU.
//
// Layout (kafka.apache.org/protocol, "Produce API" and "Record Batch"): a request frame is
//   int32 size | int16 api key 0 | int16 version 3 | int32 correlation id | string client id
//   | nullable string transactional id | int16 acks | int32 timeout | [topic: string, [partition:
//   int32, bytes: one magic-2 record batch]]
// and each record batch is a 61-byte header (CRC-32C over everything after the crc field) followed
// by the records: varint length | int8 attributes | varlong timestamp delta | varint offset delta
// | varint key length, key | varint value length, value | varint header count, headers.

import type { IHeaders, Message } from 'kafkajs';
import { buf as crc32cOf } from 'crc-32/crc32c';

export const PRODUCE_API_KEY = 0;
export const PRODUCE_VERSION = 3;
/** Where the correlation id sits in a request frame: after the size, api key and version. */
export const CORRELATION_ID_OFFSET = 8;
const BATCH_HEADER_BYTES = 61;
/** Batch header fields from the batch's start. */
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;

export interface PartitionRecords {
  partition: number;
  messages: readonly Message[];
}

export interface TopicRecords {
  topic: string;
  partitions: readonly PartitionRecords[];
}

export interface ProduceRequest {
  clientId: string;
  /** -1: every in-sync replica. */
  acks: number;
  timeoutMs: number;
  topics: readonly TopicRecords[];
}

type Bytes = Buffer | string | null | undefined;

function byteLength(b: Bytes): number {
  if (b === null || b === undefined) return -1;
  return typeof b === 'string' ? Buffer.byteLength(b, 'utf8') : b.length;
}

/** Bytes of a zigzag varint/varlong for a safe integer. */
function varintSize(n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}

interface HeaderPlan {
  key: string;
  keyLength: number;
  value: Buffer | string;
  valueLength: number;
}

/** A message's headers as (key, value) pairs with their byte lengths; an array value gives one pair per item. */
function planHeaders(headers: IHeaders | undefined): HeaderPlan[] {
  if (!headers) return [];
  const out: HeaderPlan[] = [];
  const add = (key: string, value: Buffer | string) =>
    out.push({ key, keyLength: Buffer.byteLength(key, 'utf8'), value, valueLength: byteLength(value) });
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) add(key, v);
    else add(key, value);
  }
  return out;
}

/** The numbers a record's bytes depend on, worked out once: for sizing the buffer, then for writing. */
interface RecordPlan {
  key: Bytes;
  keyLength: number;
  value: Bytes;
  valueLength: number;
  headers: HeaderPlan[];
  timestampDelta: number;
  bodyLength: number;
}

interface BatchPlan {
  partition: number;
  firstTimestamp: number;
  maxTimestamp: number;
  records: RecordPlan[];
  /** The record batch's bytes (header and records). */
  length: number;
}

function messageTimestamp(message: Message, now: number): number {
  if (message.timestamp === undefined || message.timestamp === null) return now;
  const t = Number(message.timestamp);
  if (!Number.isSafeInteger(t)) throw new TypeError(`a message timestamp must be milliseconds since the epoch, got ${String(message.timestamp)}`);
  return t;
}

function planBatch(partition: PartitionRecords, now: number): BatchPlan {
  const { messages } = partition;
  if (messages.length === 0) throw new RangeError('a record batch needs at least one message');
  const timestamps = messages.map((m) => messageTimestamp(m, now));
  let firstTimestamp = timestamps[0];
  let maxTimestamp = timestamps[0];
  for (const t of timestamps) {
    if (t < firstTimestamp) firstTimestamp = t;
    if (t > maxTimestamp) maxTimestamp = t;
  }
  let length = BATCH_HEADER_BYTES;
  const records = messages.map((message, offsetDelta): RecordPlan => {
    const keyLength = byteLength(message.key);
    const valueLength = byteLength(message.value);
    const headers = planHeaders(message.headers);
    const timestampDelta = timestamps[offsetDelta] - firstTimestamp;
    let bodyLength = 1 + varintSize(timestampDelta) + varintSize(offsetDelta);
    bodyLength += varintSize(keyLength) + Math.max(0, keyLength);
    bodyLength += varintSize(valueLength) + Math.max(0, valueLength);
    bodyLength += varintSize(headers.length);
    for (const h of headers) bodyLength += varintSize(h.keyLength) + h.keyLength + varintSize(h.valueLength) + Math.max(0, h.valueLength);
    length += varintSize(bodyLength) + bodyLength;
    return { key: message.key, keyLength, value: message.value, valueLength, headers, timestampDelta, bodyLength };
  });
  return { partition: partition.partition, firstTimestamp, maxTimestamp, records, length };
}

/** Writes into one preallocated buffer, front to back. */
class FrameWriter {
  offset = 0;
  constructor(readonly buf: Buffer) {}

  int8(n: number): void {
    this.buf.writeInt8(n, this.offset);
    this.offset += 1;
  }
  int16(n: number): void {
    this.buf.writeInt16BE(n, this.offset);
    this.offset += 2;
  }
  int32(n: number): void {
    this.buf.writeInt32BE(n, this.offset);
    this.offset += 4;
  }
  /** A safe integer as int64. */
  int64(n: number): void {
    const high = Math.floor(n / 2 ** 32);
    this.buf.writeInt32BE(high, this.offset);
    this.buf.writeUInt32BE(n - high * 2 ** 32, this.offset + 4);
    this.offset += 8;
  }
  varint(n: number): void {
    let z = n >= 0 ? n * 2 : -n * 2 - 1;
    while (z >= 128) {
      this.buf[this.offset++] = (z % 128) | 128;
      z = Math.floor(z / 128);
    }
    this.buf[this.offset++] = z;
  }
  string(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.int16(n);
    this.buf.write(s, this.offset, n, 'utf8');
    this.offset += n;
  }
  /** Raw bytes of a known length (already measured). */
  raw(b: Buffer | string, length: number): void {
    if (typeof b === 'string') this.buf.write(b, this.offset, length, 'utf8');
    else b.copy(this.buf, this.offset);
    this.offset += length;
  }
  varBytes(b: Bytes, length: number): void {
    this.varint(length);
    if (b !== null && b !== undefined) this.raw(b, length);
  }
}

function writeBatch(w: FrameWriter, plan: BatchPlan): void {
  const start = w.offset;
  w.int64(0); // base offset: the broker assigns it
  w.int32(plan.length - 12); // batch length: the bytes after this field
  w.int32(-1); // partition leader epoch
  w.int8(2); // magic
  w.int32(0); // crc, filled in below
  w.int16(0); // attributes: no compression, create time, not transactional
  w.int32(plan.records.length - 1); // last offset delta
  w.int64(plan.firstTimestamp);
  w.int64(plan.maxTimestamp);
  w.int64(-1); // producer id: not idempotent
  w.int16(-1); // producer epoch
  w.int32(-1); // base sequence
  w.int32(plan.records.length);
  plan.records.forEach((r, offsetDelta) => {
    w.varint(r.bodyLength);
    w.int8(0); // record attributes
    w.varint(r.timestampDelta);
    w.varint(offsetDelta);
    w.varBytes(r.key, r.keyLength);
    w.varBytes(r.value, r.valueLength);
    w.varint(r.headers.length);
    for (const h of r.headers) {
      w.varBytes(h.key, h.keyLength);
      w.varBytes(h.value, h.valueLength);
    }
  });
  if (w.offset - start !== plan.length) throw new Error(`record batch sized ${plan.length} bytes but written as ${w.offset - start}`);
  w.buf.writeUInt32BE(crc32c(w.buf, start + ATTRIBUTES_OFFSET, w.offset), start + CRC_OFFSET);
}

/** CRC-32C (Castagnoli) of buf[start, end), unsigned. */
export function crc32c(buf: Buffer, start: number, end: number): number {
  return crc32cOf(buf.subarray(start, end)) >>> 0;
}

/**
 * One Produce v3 request frame, size prefix included, correlation id 0 (the connection sets it at
 * CORRELATION_ID_OFFSET just before writing). Message timestamps default to `now`.
 */
export function encodeProduceRequest(request: ProduceRequest, now = Date.now()): Buffer {
  const plans = request.topics.map((t) => ({ topic: t.topic, batches: t.partitions.map((p) => planBatch(p, now)) }));
  let size = 2 + 2 + 4 + 2 + Buffer.byteLength(request.clientId, 'utf8'); // header v1
  size += 2 + 2 + 4 + 4; // transactional id (null), acks, timeout, topic count
  for (const t of plans) {
    size += 2 + Buffer.byteLength(t.topic, 'utf8') + 4;
    for (const b of t.batches) size += 4 + 4 + b.length;
  }
  const w = new FrameWriter(Buffer.allocUnsafe(4 + size));
  w.int32(size);
  w.int16(PRODUCE_API_KEY);
  w.int16(PRODUCE_VERSION);
  w.int32(0);
  w.string(request.clientId);
  w.int16(-1);
  w.int16(request.acks);
  w.int32(request.timeoutMs);
  w.int32(plans.length);
  for (const t of plans) {
    w.string(t.topic);
    w.int32(t.batches.length);
    for (const b of t.batches) {
      w.int32(b.partition);
      w.int32(b.length);
      writeBatch(w, b);
    }
  }
  if (w.offset !== w.buf.length) throw new Error(`produce request sized ${w.buf.length} bytes but written as ${w.offset}`);
  return w.buf;
}

export interface PartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  baseOffset: bigint;
}

/** A Produce v3 response body (after the correlation id). */
export function decodeProduceResponse(body: Buffer): PartitionResult[] {
  let offset = 0;
  const int16 = () => {
    const v = body.readInt16BE(offset);
    offset += 2;
    return v;
  };
  const int32 = () => {
    const v = body.readInt32BE(offset);
    offset += 4;
    return v;
  };
  const int64 = () => {
    const v = body.readBigInt64BE(offset);
    offset += 8;
    return v;
  };
  const string = () => {
    const n = int16();
    const s = body.toString('utf8', offset, offset + n);
    offset += n;
    return s;
  };
  const results: PartitionResult[] = [];
  for (let topics = int32(); topics > 0; topics--) {
    const topic = string();
    for (let partitions = int32(); partitions > 0; partitions--) {
      const partition = int32();
      const errorCode = int16();
      const baseOffset = int64();
      int64(); // log append time
      results.push({ topic, partition, errorCode, baseOffset });
    }
  }
  int32(); // throttle time
  return results;
}

/** Kafka error codes after which the same write may succeed (after a metadata refresh). */
const RETRIABLE_CODES = new Map<number, string>([
  [3, 'UNKNOWN_TOPIC_OR_PARTITION'],
  [5, 'LEADER_NOT_AVAILABLE'],
  [6, 'NOT_LEADER_OR_FOLLOWER'],
  [7, 'REQUEST_TIMED_OUT'],
  [13, 'NETWORK_EXCEPTION'],
  [19, 'NOT_ENOUGH_REPLICAS'],
  [20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND'],
  [56, 'KAFKA_STORAGE_ERROR'],
]);

const FATAL_CODES = new Map<number, string>([
  [2, 'CORRUPT_MESSAGE'],
  [10, 'MESSAGE_TOO_LARGE'],
  [17, 'INVALID_TOPIC_EXCEPTION'],
  [18, 'RECORD_LIST_TOO_LARGE'],
  [21, 'INVALID_REQUIRED_ACKS'],
  [29, 'TOPIC_AUTHORIZATION_FAILED'],
  [35, 'UNSUPPORTED_VERSION'],
  [87, 'INVALID_RECORD'],
]);

export function isRetriableCode(code: number): boolean {
  return RETRIABLE_CODES.has(code);
}

export function errorCodeName(code: number): string {
  return RETRIABLE_CODES.get(code) ?? FATAL_CODES.get(code) ?? `error code ${code}`;
}
