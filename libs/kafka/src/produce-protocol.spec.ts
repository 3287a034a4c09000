// The Produce encoder checked against a reader written here from the protocol's description (a
// reader, so a mistake in the encoder is not repeated by its check), with a bit-by-bit CRC-32C.
import type { Message } from 'kafkajs';
import { decodeProduceResponse, encodeProduceRequest, isRetriableCode } from './produce-protocol';

const NOW = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/** CRC-32C one bit at a time: slow and obviously the definition (reflected polynomial 0x82F63B78). */
function crc32cBitwise(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

class Cursor {
  offset = 0;
  constructor(readonly buf: Buffer) {}
  int8() {
    return this.buf.readInt8((this.offset += 1) - 1);
  }
  int16() {
    return this.buf.readInt16BE((this.offset += 2) - 2);
  }
  int32() {
    return this.buf.readInt32BE((this.offset += 4) - 4);
  }
  uint32() {
    return this.buf.readUInt32BE((this.offset += 4) - 4);
  }
  int64() {
    return Number(this.buf.readBigInt64BE((this.offset += 8) - 8));
  }
  take(n: number) {
    return this.buf.subarray(this.offset, (this.offset += n));
  }
  string() {
    const n = this.int16();
    return n < 0 ? null : this.take(n).toString('utf8');
  }
  /** Zigzag varint, as the record format writes lengths and deltas. */
  varint() {
    let shift = 0;
    let value = 0;
    for (;;) {
      const b = this.buf[this.offset++];
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
    }
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }
  varBytes() {
    const n = this.varint();
    return n < 0 ? null : Buffer.from(this.take(n));
  }
}

interface DecodedRecord {
  timestamp: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<[string, string]>;
}

function decodeBatch(batch: Buffer) {
  const c = new Cursor(batch);
  const header = {
    baseOffset: c.int64(),
    batchLength: c.int32(),
    leaderEpoch: c.int32(),
    magic: c.int8(),
    crc: c.uint32(),
  };
  const crcOf = crc32cBitwise(batch.subarray(c.offset));
  const rest = {
    attributes: c.int16(),
    lastOffsetDelta: c.int32(),
    firstTimestamp: c.int64(),
    maxTimestamp: c.int64(),
    producerId: c.int64(),
    producerEpoch: c.int16(),
    baseSequence: c.int32(),
  };
  const records: DecodedRecord[] = [];
  for (let n = c.int32(); n > 0; n--) {
    const length = c.varint();
    const end = c.offset + length;
    c.int8(); // attributes
    const timestamp = rest.firstTimestamp + c.varint();
    const offsetDelta = c.varint();
    const key = c.varBytes();
    const value = c.varBytes();
    const headers: Array<[string, string]> = [];
    for (let h = c.varint(); h > 0; h--) headers.push([String(c.varBytes()), String(c.varBytes())]);
    expect(c.offset).toBe(end);
    records.push({ timestamp, offsetDelta, key, value, headers });
  }
  expect(c.offset).toBe(batch.length);
  return { ...header, ...rest, crcOf, records };
}

function decodeFrame(frame: Buffer) {
  const c = new Cursor(frame);
  expect(c.int32()).toBe(frame.length - 4);
  const header = { apiKey: c.int16(), apiVersion: c.int16(), correlationId: c.int32(), clientId: c.string() };
  const body = { transactionalId: c.string(), acks: c.int16(), timeoutMs: c.int32() };
  const topics: Array<{ topic: string | null; partitions: Array<{ partition: number; batch: ReturnType<typeof decodeBatch> }> }> = [];
  for (let t = c.int32(); t > 0; t--) {
    const topic = c.string();
    const partitions = [];
    for (let p = c.int32(); p > 0; p--) {
      const partition = c.int32();
      partitions.push({ partition, batch: decodeBatch(c.take(c.int32())) });
    }
    topics.push({ topic, partitions });
  }
  expect(c.offset).toBe(frame.length);
  return { header, body, topics };
}

describe('encodeProduceRequest', () => {
  it('writes the Produce v3 header and body fields', () => {
    const frame = encodeProduceRequest(
      { clientId: 'ingest-é', acks: -1, timeoutMs: 4321, topics: [{ topic: 'clickstream.events', partitions: [{ partition: 2, messages: [{ value: 'x' }] }] }] },
      NOW,
    );
    const { header, body, topics } = decodeFrame(frame);
    expect(header).toEqual({ apiKey: 0, apiVersion: 3, correlationId: 0, clientId: 'ingest-é' });
    expect(body).toEqual({ transactionalId: null, acks: -1, timeoutMs: 4321 });
    expect(topics.map((t) => [t.topic, t.partitions.map((p) => p.partition)])).toEqual([['clickstream.events', [2]]]);
  });

  it('writes each partition’s messages as one magic-2 record batch with a correct CRC-32C', () => {
    const big = 'ü'.repeat(200) + '🙂'.repeat(40); // multi-byte UTF-8, and lengths past one varint byte
    const messages: Message[] = [
      { key: 'site:session-1', value: '{"event_type":"page_view"}' },
      { key: null, value: big, timestamp: String(NOW + 1500) },
      { key: Buffer.from([0, 1, 2, 255]), value: null, timestamp: String(NOW - 70_000) },
      { key: 'k', value: Buffer.from('binary\u0000value'), headers: { 'error-stage': 'live', multi: ['a', Buffer.from('b')], none: undefined } },
      { key: 'x'.repeat(300), value: 'y'.repeat(20_000) },
    ];
    const frame = encodeProduceRequest(
      { clientId: 'c', acks: -1, timeoutMs: 1, topics: [{ topic: 't', partitions: [{ partition: 0, messages }, { partition: 5, messages: messages.slice(1, 2) }] }] },
      NOW,
    );
    const [{ partitions }] = decodeFrame(frame).topics;
    const [first, second] = partitions.map((p) => p.batch);

    expect(partitions.map((p) => p.partition)).toEqual([0, 5]);
    expect(first).toMatchObject({
      baseOffset: 0,
      leaderEpoch: -1,
      magic: 2,
      attributes: 0,
      lastOffsetDelta: 4,
      firstTimestamp: NOW - 70_000,
      maxTimestamp: NOW + 1500,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
    });
    expect(first.crc).toBe(first.crcOf);
    const asText = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));
    expect(first.records.map((r) => [r.offsetDelta, r.timestamp, asText(r.key), asText(r.value), r.headers])).toEqual([
      [0, NOW, 'site:session-1', '{"event_type":"page_view"}', []],
      [1, NOW + 1500, null, big, []],
      [2, NOW - 70_000, Buffer.from([0, 1, 2, 255]).toString('utf8'), null, []],
      [3, NOW, 'k', 'binary\u0000value', [['error-stage', 'live'], ['multi', 'a'], ['multi', 'b']]],
      [4, NOW, 'x'.repeat(300), 'y'.repeat(20_000), []],
    ]);
    expect(first.records[2].key).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(second).toMatchObject({ lastOffsetDelta: 0, firstTimestamp: NOW + 1500, maxTimestamp: NOW + 1500 });
    expect(second.crc).toBe(second.crcOf);
    expect(second.records.map((r) => asText(r.value))).toEqual([big]);
  });

  it('gives the batch length as the bytes after that field', () => {
    const frame = encodeProduceRequest({ clientId: 'c', acks: -1, timeoutMs: 1, topics: [{ topic: 't', partitions: [{ partition: 0, messages: [{ value: 'v' }] }] }] }, NOW);
    const batchStart = 4 + 10 + 1 + 2 + 2 + 4 + 4 + 3 + 4 + 4; // size, header, null txn id, acks, timeout, topics, "t", partitions, partition
    const batchBytes = frame.readInt32BE(batchStart);
    expect(frame.readInt32BE(batchStart + 4 + 8)).toBe(batchBytes - 12);
    expect(batchStart + 4 + batchBytes).toBe(frame.length);
  });

  it('refuses an empty partition and a timestamp that is not milliseconds', () => {
    const request = (messages: Message[]) => ({ clientId: 'c', acks: -1, timeoutMs: 1, topics: [{ topic: 't', partitions: [{ partition: 0, messages }] }] });
    expect(() => encodeProduceRequest(request([]))).toThrow(/at least one message/);
    expect(() => encodeProduceRequest(request([{ value: 'v', timestamp: 'yesterday' }]))).toThrow(/milliseconds since the epoch/);
  });
});

describe('decodeProduceResponse', () => {
  it('reads every partition’s error code and base offset', () => {
    const parts: Buffer[] = [];
    const int16 = (n: number) => parts.push(Buffer.from([(n >> 8) & 0xff, n & 0xff]));
    const int32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeInt32BE(n);
      parts.push(b);
    };
    const int64 = (n: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(n);
      parts.push(b);
    };
    const string = (s: string) => {
      int16(s.length);
      parts.push(Buffer.from(s));
    };
    const partition = (index: number, code: number, offset: bigint) => {
      int32(index);
      int16(code);
      int64(offset);
      int64(-1n);
    };
    int32(2);
    string('a');
    int32(2);
    partition(0, 0, 41n);
    partition(3, 6, -1n);
    string('b');
    int32(1);
    partition(1, 10, -1n);
    int32(0); // throttle time
    expect(decodeProduceResponse(Buffer.concat(parts))).toEqual([
      { topic: 'a', partition: 0, errorCode: 0, baseOffset: 41n },
      { topic: 'a', partition: 3, errorCode: 6, baseOffset: -1n },
      { topic: 'b', partition: 1, errorCode: 10, baseOffset: -1n },
    ]);
    expect([6, 10].map(isRetriableCode)).toEqual([true, false]);
  });
});
