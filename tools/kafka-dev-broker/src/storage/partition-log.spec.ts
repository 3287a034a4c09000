import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorruptBatchError, OffsetOutOfRangeError } from './errors';
import { INDEX_ENTRY_BYTES } from './log-segment';
import { PartitionLog, type PartitionLogConfig } from './partition-log';
import { readBatchHeader, splitBatches, verifyCrc } from './record-batch';
import { buildRecordBatch } from './record-batch-builder';

let dir: string;
let opened: PartitionLog[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdb-partition-log-'));
  opened = [];
});

afterEach(() => {
  for (const l of opened) l.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function open(config: PartitionLogConfig = {}): PartitionLog {
  const log = PartitionLog.open(dir, { fsync: 'never', ...config });
  opened.push(log);
  return log;
}

function reopen(log: PartitionLog, config: PartitionLogConfig = {}): PartitionLog {
  log.close();
  return open(config);
}

/** A batch of `records` records of `valueBytes` bytes each. */
function batch(records = 1, valueBytes = 100, baseTimestamp = 1_700_000_000_000): Buffer {
  return buildRecordBatch({
    baseTimestamp,
    records: Array.from({ length: records }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(valueBytes, i) })),
  });
}

/** [baseOffset, lastOffset] of each batch in data, after checking every CRC. */
function offsetsOf(data: Buffer): Array<[bigint, bigint]> {
  return splitBatches(data).map((s) => {
    expect(verifyCrc(data, s.position)).toBe(true);
    return [s.header.baseOffset, s.header.baseOffset + BigInt(s.header.lastOffsetDelta)];
  });
}

function readAll(log: PartitionLog): Buffer {
  return log.read(log.logStartOffset, Number.MAX_SAFE_INTEGER).data;
}

function segmentFiles(ext: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort();
}

describe('PartitionLog', () => {
  it('appends batches with consecutive offsets and reads them back byte for byte', () => {
    const log = open();
    expect([log.logStartOffset, log.nextOffset]).toEqual([0n, 0n]);
    const a = batch(3);
    const b = batch(1);
    const c = batch(2);
    expect(log.append(a)).toEqual({ baseOffset: 0n, lastOffset: 2n, batches: 1 });
    expect(log.append(Buffer.concat([b, c]))).toEqual({ baseOffset: 3n, lastOffset: 5n, batches: 2 });
    expect(log.nextOffset).toBe(6n);

    const { data, highWatermark } = log.read(0n, 1 << 20);
    expect(highWatermark).toBe(6n);
    expect(offsetsOf(data)).toEqual([
      [0n, 2n],
      [3n, 3n],
      [4n, 5n],
    ]);
    // Stored as received: only the base offset differs.
    expect(data.subarray(8, a.length)).toEqual(a.subarray(8));
    expect(offsetsOf(log.read(4n, 1 << 20).data)).toEqual([[4n, 5n]]);
    expect(offsetsOf(log.read(5n, 1 << 20).data)).toEqual([[4n, 5n]]);
  });

  it('answers empty at the log end and OffsetOutOfRange beyond it', () => {
    const log = open();
    expect(log.read(0n, 100).data.length).toBe(0);
    log.append(batch(2));
    expect(log.read(2n, 100)).toEqual({ data: Buffer.alloc(0), highWatermark: 2n });
    expect(() => log.read(3n, 100)).toThrow(OffsetOutOfRangeError);
    expect(() => log.read(-1n, 100)).toThrow(OffsetOutOfRangeError);
  });

  it('returns whole batches from the one containing the offset, at least one even past maxBytes', () => {
    const log = open();
    const sizes = [batch(5, 1000), batch(1, 10), batch(1, 10), batch(4, 500)].map((b) => {
      log.append(b);
      return b.length;
    });
    // Offsets: [0..4] [5] [6] [7..10]
    expect(offsetsOf(log.read(3n, 1).data)).toEqual([[0n, 4n]]);
    expect(log.read(3n, 1).data.length).toBe(sizes[0]);
    expect(offsetsOf(log.read(0n, sizes[0] + sizes[1]).data)).toEqual([
      [0n, 4n],
      [5n, 5n],
    ]);
    expect(offsetsOf(log.read(0n, sizes[0] + sizes[1] + sizes[2] - 1).data)).toEqual([
      [0n, 4n],
      [5n, 5n],
    ]);
    expect(offsetsOf(log.read(6n, 0).data)).toEqual([[6n, 6n]]);
    expect(offsetsOf(log.read(9n, 10).data)).toEqual([[7n, 10n]]);
  });

  it('refuses corrupt data and writes nothing', () => {
    const log = open();
    log.append(batch(2));
    const sizeBefore = fs.statSync(path.join(dir, '00000000000000000000.log')).size;
    const bad = batch(1);
    bad[bad.length - 1] ^= 1;
    for (const data of [bad, Buffer.concat([batch(1), bad]), batch(1).subarray(0, 40), Buffer.alloc(0)]) {
      expect(() => log.append(data)).toThrow(CorruptBatchError);
    }
    expect(log.nextOffset).toBe(2n);
    expect(fs.statSync(path.join(dir, '00000000000000000000.log')).size).toBe(sizeBefore);
    expect(log.append(batch(1)).baseOffset).toBe(2n);
  });

  it('rolls segments, reads across them, and finds everything after reopening', () => {
    const one = batch(2, 300).length;
    let log = open({ segmentBytes: one * 3 });
    for (let i = 0; i < 10; i++) log.append(batch(2, 300));
    // Three batches per segment: base offsets 0, 6, 12, 18.
    expect(segmentFiles('.log')).toEqual(['00000000000000000000.log', '00000000000000000006.log', '00000000000000000012.log', '00000000000000000018.log']);
    expect(log.segmentCount).toBe(4);
    const before = readAll(log);
    expect(offsetsOf(before).map(([b]) => b)).toEqual([0n, 2n, 4n, 6n, 8n, 10n, 12n, 14n, 16n, 18n]);
    expect(offsetsOf(log.read(5n, one * 2).data)).toEqual([
      [4n, 5n],
      [6n, 7n],
    ]);

    log = reopen(log, { segmentBytes: one * 3 });
    expect([log.logStartOffset, log.nextOffset, log.segmentCount]).toEqual([0n, 20n, 4]);
    expect(readAll(log)).toEqual(before);
    expect(log.append(batch(1)).baseOffset).toBe(20n);
    for (const f of segmentFiles('.index')) {
      const batches = splitBatches(fs.readFileSync(path.join(dir, f.replace('.index', '.log')))).length;
      expect(fs.statSync(path.join(dir, f)).size).toBe((f.startsWith('00000000000000000018') ? batches - 1 : batches) * INDEX_ENTRY_BYTES);
    }
  });

  it('puts an append larger than segmentBytes into a segment of its own', () => {
    const log = open({ segmentBytes: 1000 });
    log.append(batch(1, 10));
    log.append(batch(3, 800));
    log.append(batch(1, 10));
    expect(segmentFiles('.log')).toEqual(['00000000000000000000.log', '00000000000000000001.log', '00000000000000000004.log']);
  });

  describe('recovery of the active segment', () => {
    // [what, damage done to the active segment, whether the last good batch is lost too]
    const damage: Array<[string, (file: string) => void, boolean]> = [
      ['garbage after the last batch', (f) => fs.appendFileSync(f, Buffer.from('not a batch at all, just bytes')), false],
      ['a partial header', (f) => fs.appendFileSync(f, batch(1).subarray(0, 30)), false],
      ['half a batch', (f) => fs.appendFileSync(f, batch(5).subarray(0, 200)), false],
      ['a batch whose length runs past the end', (f) => fs.appendFileSync(f, batch(5).subarray(0, batch(5).length - 1)), false],
      [
        'a flipped byte inside the last batch',
        (f) => {
          const data = fs.readFileSync(f);
          data[data.length - 20] ^= 0x40;
          fs.writeFileSync(f, data);
        },
        true,
      ],
      [
        'zeros where the last batch was (lost page)',
        (f) => {
          const size = fs.statSync(f).size;
          const fd = fs.openSync(f, 'r+');
          fs.writeSync(fd, Buffer.alloc(100), 0, 100, size - 100);
          fs.closeSync(fd);
        },
        true,
      ],
    ];

    it.each(damage)('truncates %s and continues at the right offset', (_what, corrupt, lastBatchLost) => {
      const config = { segmentBytes: batch(2, 300).length * 3 };
      let log = open(config);
      for (let i = 0; i < 7; i++) log.append(batch(2, 300)); // segments 0, 6, 12 (active: one batch, 12..13)
      log.append(batch(2, 300)); // 14..15, the last batch of the active segment
      log.close();
      const active = path.join(dir, '00000000000000000012.log');
      corrupt(active);
      const messages: Array<[string, Record<string, unknown>]> = [];
      log = open({ ...config, log: (msg, fields) => messages.push([msg, fields]) });

      const expectedNext = lastBatchLost ? 14n : 16n;
      expect(log.nextOffset).toBe(expectedNext);
      expect(messages).toEqual([[expect.stringContaining('truncated'), expect.objectContaining({ segment: active, reason: expect.any(String) })]]);
      expect(fs.statSync(active).size).toBe(batch(2, 300).length * (lastBatchLost ? 1 : 2));
      expect(log.append(batch(3)).baseOffset).toBe(expectedNext);
      const all = offsetsOf(readAll(log));
      expect(all.at(-1)).toEqual([expectedNext, expectedNext + 2n]);
      expect(all.map(([b]) => b)).toEqual([0n, 2n, 4n, 6n, 8n, 10n, 12n, ...(lastBatchLost ? [] : [14n]), expectedNext]);

      // And the repaired log opens cleanly again.
      messages.length = 0;
      log = reopen(log, { ...config, log: (msg, fields) => messages.push([msg, fields]) });
      expect(messages).toEqual([]);
      expect(log.nextOffset).toBe(expectedNext + 3n);
    });

    it('truncates an active segment that holds only a torn batch to empty', () => {
      let log = open();
      log.close();
      fs.writeFileSync(path.join(dir, '00000000000000000000.log'), batch(3).subarray(0, 70));
      log = open();
      expect([log.logStartOffset, log.nextOffset]).toEqual([0n, 0n]);
      expect(log.append(batch(1)).baseOffset).toBe(0n);
    });
  });

  it('rebuilds missing, short or damaged index files of closed segments', () => {
    const config = { segmentBytes: batch(1, 200).length * 4 };
    let log = open(config);
    for (let i = 0; i < 14; i++) log.append(batch(1, 200)); // segments 0, 4, 8, 12
    const before = readAll(log);
    log.close();
    const indexes = segmentFiles('.index');
    const wanted = indexes.map((f) => fs.readFileSync(path.join(dir, f)));
    fs.rmSync(path.join(dir, indexes[0]));
    fs.truncateSync(path.join(dir, indexes[1]), INDEX_ENTRY_BYTES + 5);
    const damaged = fs.readFileSync(path.join(dir, indexes[2]));
    damaged[INDEX_ENTRY_BYTES * 2 + 3] ^= 1; // third entry fails its checksum
    fs.writeFileSync(path.join(dir, indexes[2]), damaged);
    fs.writeFileSync(path.join(dir, '00000000000000000099.index'), 'orphan');

    log = open(config);
    expect([log.logStartOffset, log.nextOffset]).toEqual([0n, 14n]);
    expect(readAll(log)).toEqual(before);
    expect(segmentFiles('.index')).toEqual(indexes);
    expect(indexes.map((f) => fs.readFileSync(path.join(dir, f)))).toEqual(wanted);
  });

  it('does not trust an index entry that points past what the log holds', () => {
    const config = { segmentBytes: batch(1, 200).length * 4 };
    let log = open(config);
    for (let i = 0; i < 6; i++) log.append(batch(1, 200)); // segments 0 (4 batches) and 4
    log.close();
    // A closed segment that lost its tail while its index did not (power loss, no fsync).
    const first = path.join(dir, '00000000000000000000.log');
    fs.truncateSync(first, batch(1, 200).length * 2 + 10);
    const messages: string[] = [];
    log = open({ ...config, log: (msg) => messages.push(msg) });
    expect(offsetsOf(readAll(log)).map(([b]) => b)).toEqual([0n, 1n, 4n, 5n]);
    expect(messages).toEqual([expect.stringContaining('truncated')]);
    // Offsets 2 and 3 are gone: a read there gets the next batch that exists.
    expect(offsetsOf(log.read(2n, 1).data)).toEqual([[4n, 4n]]);
    expect(fs.statSync(first).size).toBe(batch(1, 200).length * 2);
  });

  describe('retention', () => {
    const DAY = 86_400_000;
    const now = 1_800_000_000_000;

    it('deletes the oldest closed segments while the log is over retentionBytes', () => {
      const one = batch(1, 500).length;
      const config = { segmentBytes: one * 2, retentionBytes: one * 5 };
      let log = open(config);
      for (let i = 0; i < 9; i++) log.append(batch(1, 500)); // segments 0,2,4,6 full; 8 active with one batch
      expect(log.segmentCount).toBe(5);
      expect(log.applyRetention(now)).toBe(2); // 9 → 7 → 5 batches
      expect([log.logStartOffset, log.nextOffset, log.sizeBytes]).toEqual([4n, 9n, one * 5]);
      expect(segmentFiles('.log')).toEqual(['00000000000000000004.log', '00000000000000000006.log', '00000000000000000008.log']);
      expect(segmentFiles('.index').length).toBe(3);
      expect(() => log.read(3n, 100)).toThrow(OffsetOutOfRangeError);
      expect(offsetsOf(log.read(4n, 1).data)).toEqual([[4n, 4n]]);

      log = reopen(log, { ...config, retentionBytes: 0 });
      expect(log.logStartOffset).toBe(4n);
      expect(log.applyRetention(now)).toBe(2);
      // The active segment stays, however small the limit.
      expect([log.logStartOffset, log.nextOffset, log.segmentCount]).toEqual([8n, 9n, 1]);
      expect(log.applyRetention(now)).toBe(0);
    });

    it('deletes closed segments whose newest record is older than retentionMs', () => {
      const old = now - 10 * DAY;
      const one = batch(1, 500).length;
      const log = open({ segmentBytes: one * 2, retentionMs: 7 * DAY });
      log.append(batch(1, 500, old));
      log.append(batch(1, 500, old)); // segment 0: old
      log.append(batch(1, 500, old));
      log.append(batch(1, 500, now - DAY)); // segment 2: has a recent record
      log.append(batch(1, 500, old)); // segment 4: old, but after a recent one
      log.append(batch(1, 500, old));
      log.append(batch(1, 500, old)); // segment 6: old, active
      expect(log.applyRetention(now)).toBe(1);
      expect(log.logStartOffset).toBe(2n);
      expect(log.applyRetention(now + 7 * DAY)).toBe(2);
      // Only the active segment is left, old as it is.
      expect([log.logStartOffset, log.nextOffset, log.segmentCount]).toEqual([6n, 7n, 1]);
    });

    it('does nothing without retention settings', () => {
      const log = open({ segmentBytes: 100 });
      for (let i = 0; i < 5; i++) log.append(batch(1, 200, 0));
      expect(log.applyRetention(now)).toBe(0);
      expect(log.segmentCount).toBe(5);
    });
  });

  it('finds the earliest offset at or after a timestamp, per record when uncompressed', () => {
    const log = open();
    log.append(buildRecordBatch({ baseTimestamp: 1000, records: [{ value: 'a' }, { value: 'b', timestampDelta: 10 }, { value: 'c', timestampDelta: 20 }] }));
    log.append(buildRecordBatch({ baseTimestamp: 2000, records: [{ value: 'd', timestampDelta: 5 }, { value: 'e' }] })); // out of order inside
    log.append(buildRecordBatch({ baseTimestamp: 3000, compression: 'gzip', records: [{ value: 'f' }, { value: 'g', timestampDelta: 50 }] }));
    const cases: Array<[bigint, bigint | undefined]> = [
      [0n, 0n],
      [1000n, 0n],
      [1001n, 1n],
      [1010n, 1n],
      [1020n, 2n],
      [1021n, 3n],
      [2001n, 3n],
      [2005n, 3n],
      [2006n, 5n],
      [3050n, 5n], // compressed: the batch's base offset
      [3051n, undefined],
    ];
    expect(cases.map(([ts]) => [ts, log.offsetForTimestamp(ts)])).toEqual(cases);
  });

  it('refuses use after close, and deleteAll removes the directory', () => {
    const log = open();
    log.append(batch(1));
    log.close();
    log.close();
    expect(() => log.append(batch(1))).toThrow('closed');
    const sub = path.join(dir, 'topic', '0');
    const other = PartitionLog.open(sub, { fsync: 'never' });
    other.append(batch(1));
    other.deleteAll();
    expect(fs.existsSync(sub)).toBe(false);
  });

  it('rejects invalid configuration', () => {
    expect(() => PartitionLog.open(dir, { segmentBytes: 0 })).toThrow(RangeError);
    expect(() => PartitionLog.open(dir, { fsync: 'sometimes' as 'never' })).toThrow(RangeError);
    expect(() => PartitionLog.open(dir, { fsyncIntervalMs: -5 })).toThrow(RangeError);
  });

  it('keeps the stored header intact apart from the base offset', () => {
    const log = open();
    const b = buildRecordBatch({ baseTimestamp: 42, producerId: 7n, producerEpoch: 3, baseSequence: 9, records: [{ value: 'v' }] });
    log.append(batch(4));
    log.append(b);
    const stored = log.read(4n, 1).data;
    expect(readBatchHeader(stored, 0)).toEqual({ ...readBatchHeader(b, 0), baseOffset: 4n });
  });
});
