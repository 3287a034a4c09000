import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OffsetStore, type OffsetStoreOptions } from './offset-store';

let dir: string;
let file: string;
let opened: OffsetStore[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdb-offsets-'));
  file = path.join(dir, 'offsets.log');
  opened = [];
});

afterEach(() => {
  for (const s of opened) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function open(options: OffsetStoreOptions = {}): OffsetStore {
  const store = OffsetStore.open(file, { fsync: 'never', now: () => 1_700_000_000_000, ...options });
  opened.push(store);
  return store;
}

function reopen(store: OffsetStore, options: OffsetStoreOptions = {}): OffsetStore {
  store.close();
  return open(options);
}

describe('OffsetStore', () => {
  it('stores, overwrites and survives a reopen', () => {
    let store = open();
    expect(store.fetch('g1', 'clicks', 0)).toBeUndefined();
    store.commit('g1', [
      { topic: 'clicks', partition: 0, offset: 10n, metadata: null },
      { topic: 'clicks', partition: 1, offset: 9_007_199_254_740_993n, metadata: 'meta "quoted"\n' },
    ]);
    store.commit('g2', [{ topic: 'views', partition: 3, offset: 0n, metadata: '' }]);
    store.commit('g1', [{ topic: 'clicks', partition: 0, offset: 12n, metadata: 'm' }]);
    expect(store.fetch('g1', 'clicks', 0)).toEqual({ offset: 12n, metadata: 'm' });

    store = reopen(store);
    expect(store.fetch('g1', 'clicks', 0)).toEqual({ offset: 12n, metadata: 'm' });
    expect(store.fetch('g1', 'clicks', 1)).toEqual({ offset: 9_007_199_254_740_993n, metadata: 'meta "quoted"\n' });
    expect(store.fetch('g2', 'views', 3)).toEqual({ offset: 0n, metadata: '' });
    expect(store.groups().sort()).toEqual(['g1', 'g2']);
    expect(store.committed('g1')).toEqual([
      { topic: 'clicks', partition: 0, offset: 12n, metadata: 'm' },
      { topic: 'clicks', partition: 1, offset: 9_007_199_254_740_993n, metadata: 'meta "quoted"\n' },
    ]);
    expect(store.committed('nobody')).toEqual([]);
    expect([store.lineCount, store.size]).toEqual([4, 3]);
  });

  it('writes one JSON line per entry, in the documented format', () => {
    const store = open();
    store.commit('g', [{ topic: 't', partition: 2, offset: 5n, metadata: null }]);
    store.flush();
    expect(fs.readFileSync(file, 'utf8')).toBe('{"g":"g","t":"t","p":2,"o":"5","m":null,"ts":1700000000000}\n');
  });

  it('ignores a torn last line and keeps later commits readable', () => {
    let store = open();
    store.commit('g', [{ topic: 't', partition: 0, offset: 1n, metadata: null }]);
    store.close();
    fs.appendFileSync(file, '{"g":"g","t":"t","p":0,"o":"99'); // a crash mid-write
    const messages: string[] = [];
    store = open({ log: (msg) => messages.push(msg) });
    expect(messages).toEqual([expect.stringContaining('torn')]);
    expect(store.fetch('g', 't', 0)).toEqual({ offset: 1n, metadata: null });
    store.commit('g', [{ topic: 't', partition: 0, offset: 2n, metadata: null }]);
    store = reopen(store);
    expect(store.fetch('g', 't', 0)).toEqual({ offset: 2n, metadata: null });
  });

  it('skips unreadable lines in the middle', () => {
    fs.writeFileSync(file, ['{"g":"g","t":"t","p":0,"o":"1","m":null,"ts":1}', 'garbage', '{"g":"g","t":"t","p":1,"o":"x","m":null,"ts":1}', ''].join('\n'));
    const messages: Array<Record<string, unknown>> = [];
    const store = open({ log: (_msg, fields) => messages.push(fields) });
    expect(messages).toEqual([expect.objectContaining({ lines: 2 })]);
    expect(store.fetch('g', 't', 0)?.offset).toBe(1n);
    expect(store.fetch('g', 't', 1)).toBeUndefined();
  });

  it('compacts once the file holds many more lines than live entries', () => {
    let store = open({ compactAfterLines: 20 });
    for (let i = 0; i < 10; i++) {
      store.commit('g', [
        { topic: 't', partition: 0, offset: BigInt(i), metadata: null },
        { topic: 't', partition: 1, offset: BigInt(i * 2), metadata: null },
      ]);
    }
    expect(store.lineCount).toBe(20);
    store.commit('g', [{ topic: 't', partition: 0, offset: 100n, metadata: 'last' }]);
    expect([store.lineCount, store.size]).toEqual([2, 2]);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
    store.commit('g', [{ topic: 't', partition: 1, offset: 101n, metadata: null }]);

    store = reopen(store, { compactAfterLines: 20 });
    expect(store.fetch('g', 't', 0)).toEqual({ offset: 100n, metadata: 'last' });
    expect(store.fetch('g', 't', 1)).toEqual({ offset: 101n, metadata: null });
    expect(store.lineCount).toBe(3);
  });

  it('does not compact while most lines are live', () => {
    const store = open({ compactAfterLines: 5 });
    for (let p = 0; p < 10; p++) store.commit('g', [{ topic: 't', partition: p, offset: 1n, metadata: null }]);
    expect(store.lineCount).toBe(10);
  });

  it('forgets a deleted topic durably, for every group', () => {
    let store = open();
    store.commit('g1', [
      { topic: 'gone', partition: 0, offset: 5n, metadata: null },
      { topic: 'kept', partition: 0, offset: 6n, metadata: null },
    ]);
    store.commit('g2', [{ topic: 'gone', partition: 1, offset: 7n, metadata: null }]);
    expect(store.deleteTopic('gone')).toBe(2);
    expect(store.deleteTopic('never-there')).toBe(0);
    expect(store.fetch('g1', 'gone', 0)).toBeUndefined();
    expect(store.groups()).toEqual(['g1']);
    store = reopen(store);
    expect(store.fetch('g1', 'gone', 0)).toBeUndefined();
    expect(store.fetch('g2', 'gone', 1)).toBeUndefined();
    expect(store.fetch('g1', 'kept', 0)?.offset).toBe(6n);
    expect(store.groups()).toEqual(['g1']);
  });

  it('refuses commits after close', () => {
    const store = open();
    store.close();
    expect(() => store.commit('g', [{ topic: 't', partition: 0, offset: 1n, metadata: null }])).toThrow('closed');
  });
});
