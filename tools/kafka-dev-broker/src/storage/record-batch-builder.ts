// Builds valid magic-2 record batches, as a producer would send them, for tests and tools.

import { gzipSync } from 'node:zlib';
import { crc32c } from './crc32c';
import {
  ATTRIBUTES,
  BASE_OFFSET,
  BASE_SEQUENCE,
  BASE_TIMESTAMP,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH,
  CRC,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  MAX_TIMESTAMP,
  PARTITION_LEADER_EPOCH,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  RECORD_COUNT,
} from './record-batch';
import { writeVarint } from './varint';

type Bytes = Buffer | string | null;

export interface RecordHeaderInput {
  key: string;
  value: Bytes;
}

export interface RecordInput {
  key?: Bytes;
  value: Bytes;
  /** Milliseconds after the batch's baseTimestamp (default 0). */
  timestampDelta?: number;
  headers?: RecordHeaderInput[];
}

export interface RecordBatchInput {
  /** Producers send 0; the broker assigns the real one. */
  baseOffset?: bigint;
  /** Default: now. */
  baseTimestamp?: bigint | number;
  records: RecordInput[];
  /** 'gzip' compresses the records section for real (codec 1), as kafkajs does. */
  compression?: 'none' | 'gzip';
  partitionLeaderEpoch?: number;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
}

function toBuffer(b: Bytes | undefined): Buffer | null {
  if (b === null || b === undefined) return null;
  return typeof b === 'string' ? Buffer.from(b) : b;
}

function pushBytes(parts: Buffer[], varints: number[], b: Buffer | null): void {
  writeVarint(varints, b ? b.length : -1);
  parts.push(Buffer.from(varints.splice(0)));
  if (b) parts.push(b);
}

function encodeRecord(record: RecordInput, offsetDelta: number): Buffer {
  const parts: Buffer[] = [];
  const v: number[] = [0]; // record attributes: unused, always 0
  writeVarint(v, record.timestampDelta ?? 0);
  writeVarint(v, offsetDelta);
  pushBytes(parts, v, toBuffer(record.key));
  pushBytes(parts, v, toBuffer(record.value));
  const headers = record.headers ?? [];
  writeVarint(v, headers.length);
  parts.push(Buffer.from(v.splice(0)));
  for (const h of headers) {
    pushBytes(parts, v, Buffer.from(h.key));
    pushBytes(parts, v, toBuffer(h.value));
  }
  const body = Buffer.concat(parts);
  const length: number[] = [];
  writeVarint(length, body.length);
  return Buffer.concat([Buffer.from(length), body]);
}

/** One record batch with a correct CRC-32C; records get offset deltas 0, 1, 2, … */
export function buildRecordBatch(input: RecordBatchInput): Buffer {
  const { records } = input;
  if (records.length === 0) throw new RangeError('a record batch needs at least one record');
  const baseTimestamp = BigInt(input.baseTimestamp ?? Date.now());
  const maxDelta = Math.max(...records.map((r) => r.timestampDelta ?? 0));
  let body = Buffer.concat(records.map((r, i) => encodeRecord(r, i)));
  let attributes = 0;
  if (input.compression === 'gzip') {
    body = gzipSync(body);
    attributes |= 1;
  }
  const batch = Buffer.alloc(BATCH_HEADER_BYTES + body.length);
  batch.writeBigInt64BE(input.baseOffset ?? 0n, BASE_OFFSET);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH);
  batch.writeInt32BE(input.partitionLeaderEpoch ?? -1, PARTITION_LEADER_EPOCH);
  batch.writeInt8(2, MAGIC);
  batch.writeInt16BE(attributes, ATTRIBUTES);
  batch.writeInt32BE(records.length - 1, LAST_OFFSET_DELTA);
  batch.writeBigInt64BE(baseTimestamp, BASE_TIMESTAMP);
  batch.writeBigInt64BE(baseTimestamp + BigInt(maxDelta), MAX_TIMESTAMP);
  batch.writeBigInt64BE(input.producerId ?? -1n, PRODUCER_ID);
  batch.writeInt16BE(input.producerEpoch ?? -1, PRODUCER_EPOCH);
  batch.writeInt32BE(input.baseSequence ?? -1, BASE_SEQUENCE);
  batch.writeInt32BE(records.length, RECORD_COUNT);
  body.copy(batch, BATCH_HEADER_BYTES);
  batch.writeUInt32BE(crc32c(batch, ATTRIBUTES), CRC);
  return batch;
}
