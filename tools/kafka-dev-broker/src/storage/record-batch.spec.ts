import { gunzipSync } from 'node:zlib';
import { CorruptBatchError } from './errors';
import {
  BATCH_HEADER_BYTES,
  compressionCodec,
  readBatchHeader,
  recordTimestamps,
  setBaseOffset,
  splitBatches,
  verifyCrc,
} from './record-batch';
import { buildRecordBatch } from './record-batch-builder';
import { readVarint, writeVarint } from './varint';

// Batches exactly as kafkajs 2.2.4's encoder wrote them: two records (timestamp deltas 0 and 7,
// the first with a header), uncompressed and gzip.
const KAFKAJS_BATCH = Buffer.from(
  '00000000000000000000007600000000021fd58f280000000000010000018bcfe568000000018bcfe56807ffffffffffffffff000000000000000000024e0000000c757365722d31207b2270616765223a222f686f6d65227d020c736f757263650677656238000e020c757365722d32207b2270616765223a222f63617274227d00',
  'hex',
);
const KAFKAJS_GZIP_BATCH = Buffer.from(
  '00000000000000000000007d0000000002dd63d4840001000000010000018bcfe568000000018bcfe56807ffffffffffffffff000000000000000000021f8b0800000000000003f3636060e0292d4e2dd23554a8562a484c4f55b252d2cfc8cf4d55aa65e229ce2f2d4a4e652b4f4db260e06382a8334252979c5854a254cb00003f38541745000000',
  'hex',
);

describe('record batches', () => {
  it('reads the header of a kafkajs batch and verifies its CRC', () => {
    const h = readBatchHeader(KAFKAJS_BATCH, 0);
    expect(h).toMatchObject({
      baseOffset: 0n,
      batchLength: KAFKAJS_BATCH.length - 12,
      magic: 2,
      attributes: 0,
      lastOffsetDelta: 1,
      baseTimestamp: 1_700_000_000_000n,
      maxTimestamp: 1_700_000_000_007n,
      producerId: -1n,
      recordCount: 2,
    });
    expect(verifyCrc(KAFKAJS_BATCH, 0)).toBe(true);
    expect(recordTimestamps(KAFKAJS_BATCH, 0)).toEqual([
      [0, 1_700_000_000_000n],
      [1, 1_700_000_000_007n],
    ]);
    expect(compressionCodec(readBatchHeader(KAFKAJS_GZIP_BATCH, 0).attributes)).toBe(1);
    expect(verifyCrc(KAFKAJS_GZIP_BATCH, 0)).toBe(true);
    expect(recordTimestamps(KAFKAJS_GZIP_BATCH, 0)).toBeUndefined();
  });

  it('builds batches byte-identical to what kafkajs sends', () => {
    const built = buildRecordBatch({
      baseTimestamp: 1_700_000_000_000n,
      partitionLeaderEpoch: 0,
      producerEpoch: 0,
      baseSequence: 0,
      records: [
        { key: 'user-1', value: '{"page":"/home"}', headers: [{ key: 'source', value: 'web' }] },
        { key: 'user-2', value: '{"page":"/cart"}', timestampDelta: 7 },
      ],
    });
    expect(built.toString('hex')).toBe(KAFKAJS_BATCH.toString('hex'));
  });

  it('builds real gzip batches', () => {
    const batch = buildRecordBatch({ baseTimestamp: 5, compression: 'gzip', records: [{ value: 'a'.repeat(1000) }] });
    expect(verifyCrc(batch, 0)).toBe(true);
    expect(compressionCodec(readBatchHeader(batch, 0).attributes)).toBe(1);
    expect(batch.length).toBeLessThan(200);
    expect(gunzipSync(batch.subarray(BATCH_HEADER_BYTES)).includes(Buffer.from('a'.repeat(1000)))).toBe(true);
  });

  it('splits concatenated batches and rewrites base offsets without breaking the CRC', () => {
    const a = buildRecordBatch({ records: [{ value: 'x' }, { value: 'y' }, { value: 'z' }] });
    const b = buildRecordBatch({ records: [{ key: null, value: null }] });
    const data = Buffer.concat([a, b, KAFKAJS_BATCH]);
    const spans = splitBatches(data);
    expect(spans.map((s) => [s.position, s.size, s.header.lastOffsetDelta])).toEqual([
      [0, a.length, 2],
      [a.length, b.length, 0],
      [a.length + b.length, KAFKAJS_BATCH.length, 1],
    ]);
    setBaseOffset(data, spans[1].position, 1234567890123n);
    expect(readBatchHeader(data, spans[1].position).baseOffset).toBe(1234567890123n);
    expect(spans.every((s) => verifyCrc(data, s.position))).toBe(true);
    expect(splitBatches(Buffer.alloc(0))).toEqual([]);
  });

  it('refuses short, truncated, non-v2 and mis-sized data with CorruptBatchError', () => {
    const good = buildRecordBatch({ records: [{ value: 'hello' }] });
    const cases: Array<[string, Buffer]> = [
      ['short header', good.subarray(0, 30)],
      ['truncated batch', good.subarray(0, good.length - 1)],
      ['trailing garbage', Buffer.concat([good, Buffer.from([1, 2, 3])])],
      ['magic 1', patch(good, (b) => b.writeInt8(1, 16))],
      ['length below the header', patch(good, (b) => b.writeInt32BE(10, 8))],
      ['negative length', patch(good, (b) => b.writeInt32BE(-1, 8))],
      ['negative lastOffsetDelta', patch(good, (b) => b.writeInt32BE(-1, 23))],
    ];
    for (const [what, data] of cases) {
      expect({ what, error: catchError(() => splitBatches(data)) }).toEqual({ what, error: expect.any(CorruptBatchError) });
    }
    expect((catchError(() => splitBatches(Buffer.concat([good, good.subarray(0, 20)]))) as CorruptBatchError).position).toBe(good.length);
  });

  it('detects any flipped bit after the CRC field', () => {
    const good = buildRecordBatch({ records: [{ value: 'hello' }, { value: 'world' }] });
    for (let i = 21; i < good.length; i++) {
      expect(verifyCrc(patch(good, (b) => (b[i] ^= 0x10)), 0)).toBe(false);
    }
    expect(verifyCrc(good.subarray(0, good.length - 1), 0)).toBe(false);
  });

  it('reads record timestamps, or the batch time for LogAppendTime', () => {
    const batch = buildRecordBatch({
      baseTimestamp: 1000n,
      records: [{ value: 'a', timestampDelta: 5 }, { value: 'b' }, { value: 'c', timestampDelta: 3_000_000_000_000 }],
    });
    expect(recordTimestamps(batch, 0)).toEqual([
      [0, 1005n],
      [1, 1000n],
      [2, 3_000_000_001_000n],
    ]);
    const appendTime = patch(batch, (b) => b.writeInt16BE(0x08, 21));
    expect(recordTimestamps(appendTime, 0)?.map(([, t]) => t)).toEqual([3_000_000_001_000n, 3_000_000_001_000n, 3_000_000_001_000n]);
    const badRecords = patch(batch, (b) => b.writeInt32BE(9, 57));
    expect(() => recordTimestamps(badRecords, 0)).toThrow(CorruptBatchError);
  });

  it('encodes and decodes zigzag varints', () => {
    const values = [0, -1, 1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, -(2 ** 45) + 3];
    const out: number[] = [];
    for (const v of values) writeVarint(out, v);
    const buf = Buffer.from(out);
    const cur = { pos: 0 };
    expect(values.map(() => readVarint(buf, cur))).toEqual(values);
    expect(cur.pos).toBe(buf.length);
    const encoded: number[] = [];
    writeVarint(encoded, 300);
    expect(Buffer.from(encoded).toString('hex')).toBe('d804'); // 300 zigzags to 600: 0x58|0x80, 0x04
    expect(() => readVarint(Buffer.from([0x80, 0x80]), { pos: 0 })).toThrow(CorruptBatchError);
  });
});

function patch(buf: Buffer, edit: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(buf);
  edit(copy);
  return copy;
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}
