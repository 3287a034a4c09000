import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InvalidConfigError, InvalidPartitionsError, InvalidTopicError, TopicExistsError, UnknownTopicError } from './errors';
import { LogManager, type LogManagerOptions } from './log-manager';
import { buildRecordBatch } from './record-batch-builder';

let dataDir: string;
let opened: LogManager[];

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdb-manager-'));
  opened = [];
});

afterEach(() => {
  for (const m of opened) m.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function open(options: Partial<LogManagerOptions> = {}): LogManager {
  const m = LogManager.open({ dataDir, fsync: 'never', ...options });
  opened.push(m);
  return m;
}

function reopen(m: LogManager, options: Partial<LogManagerOptions> = {}): LogManager {
  m.close();
  return open(options);
}

const batch = (ts = Date.now()) => buildRecordBatch({ baseTimestamp: ts, records: [{ value: 'v'.repeat(100) }] });

describe('LogManager', () => {
  it('auto-creates topics with the default partitions and keeps them across restarts', () => {
    let m = open({ defaultPartitions: 3 });
    expect(m.topics()).toEqual([]);
    expect(m.ensureTopic('clicks')).toEqual({ name: 'clicks', partitions: 3 });
    expect(m.ensureTopic('clicks')).toEqual({ name: 'clicks', partitions: 3 });
    expect(m.createTopic('views', 2)).toEqual({ name: 'views', partitions: 2 });
    expect(m.createTopic('defaulted')).toEqual({ name: 'defaulted', partitions: 3 });
    expect(m.topics()).toEqual([
      { name: 'clicks', partitions: 3 },
      { name: 'defaulted', partitions: 3 },
      { name: 'views', partitions: 2 },
    ]);
    expect(m.topic('views')).toEqual({ name: 'views', partitions: 2 });
    expect(m.partition('clicks', 2)).toBeDefined();
    expect(m.partition('clicks', 3)).toBeUndefined();
    expect(m.partition('nope', 0)).toBeUndefined();
    m.partition('clicks', 1)?.append(batch());
    m.partition('clicks', 1)?.append(batch());
    m.offsets.commit('g', [{ topic: 'clicks', partition: 1, offset: 2n, metadata: null }]);

    m = reopen(m, { defaultPartitions: 3 });
    expect(m.topics().map((t) => t.name)).toEqual(['clicks', 'defaulted', 'views']);
    expect(m.partition('clicks', 1)?.nextOffset).toBe(2n);
    expect(m.offsets.fetch('g', 'clicks', 1)?.offset).toBe(2n);
    expect(fs.readdirSync(path.join(dataDir, 'topics', 'clicks')).sort()).toEqual(['0', '1', '2']);
  });

  it('refuses existing, invalid and badly configured topics', () => {
    const m = open();
    m.createTopic('t', 1);
    expect(() => m.createTopic('t', 1)).toThrow(TopicExistsError);
    expect(() => m.ensureTopic('bad name')).toThrow(InvalidTopicError);
    expect(() => m.createTopic('u', 0)).toThrow(InvalidPartitionsError);
    expect(() => m.createTopic('u', 1, { 'retention.ms': 'soon' })).toThrow(InvalidConfigError);
    expect(() => m.deleteTopic('u')).toThrow(UnknownTopicError);
    expect(m.topics().map((t) => t.name)).toEqual(['t']);
    expect(fs.readdirSync(path.join(dataDir, 'topics'))).toEqual(['t']);
  });

  it('deletes a topic with its data and committed offsets, and can create it afresh', () => {
    let m = open();
    m.createTopic('doomed', 2);
    m.createTopic('kept', 1);
    m.partition('doomed', 0)?.append(batch());
    m.offsets.commit('g', [
      { topic: 'doomed', partition: 0, offset: 1n, metadata: null },
      { topic: 'kept', partition: 0, offset: 0n, metadata: null },
    ]);
    const doomedLog = m.partition('doomed', 0);
    m.deleteTopic('doomed');
    expect(m.topics().map((t) => t.name)).toEqual(['kept']);
    expect(m.partition('doomed', 0)).toBeUndefined();
    expect(() => doomedLog?.append(batch())).toThrow('closed');
    expect(fs.existsSync(path.join(dataDir, 'topics', 'doomed'))).toBe(false);
    expect(m.offsets.fetch('g', 'doomed', 0)).toBeUndefined();

    m = reopen(m);
    expect(m.topics().map((t) => t.name)).toEqual(['kept']);
    expect(m.offsets.fetch('g', 'doomed', 0)).toBeUndefined();
    expect(m.offsets.fetch('g', 'kept', 0)?.offset).toBe(0n);
    m.createTopic('doomed', 1);
    expect(m.partition('doomed', 0)?.nextOffset).toBe(0n);
  });

  it('removes topic directories that topics.json does not know (an interrupted delete)', () => {
    let m = open();
    m.createTopic('t', 1);
    m.close();
    fs.mkdirSync(path.join(dataDir, 'topics', 'orphan', '0'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'topics', 'orphan', '0', '00000000000000000000.log'), 'x');
    const messages: string[] = [];
    m = open({ log: (msg) => messages.push(msg) });
    expect(fs.readdirSync(path.join(dataDir, 'topics'))).toEqual(['t']);
    expect(messages).toEqual([expect.stringContaining('not in topics.json')]);
  });

  it('applies retention to every partition, with per-topic overrides', () => {
    const one = batch().length;
    const m = open({ segmentBytes: one, retentionBytes: one * 2 });
    m.createTopic('global', 1);
    m.createTopic('override', 1, { 'retention.bytes': '-1', 'segment.bytes': String(one * 2) });
    for (let i = 0; i < 5; i++) {
      m.partition('global', 0)?.append(batch());
      m.partition('override', 0)?.append(batch());
    }
    expect(m.partition('global', 0)?.segmentCount).toBe(5);
    expect(m.partition('override', 0)?.segmentCount).toBe(3);
    expect(m.applyRetention()).toBe(3);
    expect(m.partition('global', 0)?.logStartOffset).toBe(3n);
    expect(m.partition('override', 0)?.logStartOffset).toBe(0n);
  });

  it('runs retention on its timer', async () => {
    const m = open({ segmentBytes: 10, retentionMs: 1000, retentionCheckMs: 20 });
    m.createTopic('t', 1);
    const log = m.partition('t', 0);
    log?.append(batch(Date.now() - 60_000));
    log?.append(batch(Date.now() - 60_000));
    log?.append(batch());
    const deadline = Date.now() + 5000;
    while (log?.logStartOffset !== 2n) {
      if (Date.now() > deadline) throw new Error('retention did not run');
      await new Promise((r) => setTimeout(r, 10));
    }
  });

  it('rejects invalid options', () => {
    expect(() => LogManager.open({ dataDir, defaultPartitions: 0 })).toThrow(InvalidPartitionsError);
    expect(() => LogManager.open({ dataDir, fsync: 'often' as 'never' })).toThrow(RangeError);
    expect(() => LogManager.open({ dataDir, retentionCheckMs: 0 })).toThrow(RangeError);
  });
});
