import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InvalidPartitionsError, InvalidTopicError, TopicExistsError } from './errors';
import { TopicStore, validateTopicName } from './topic-store';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdb-topics-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('TopicStore', () => {
  it('creates and deletes topics durably, in the documented file format', () => {
    const store = TopicStore.open(dir);
    expect(store.list()).toEqual([]);
    const created = store.create('page-views', 3, { 'retention.ms': '1000' }, new Date('2024-01-02T03:04:05.000Z'));
    expect(created).toEqual({ name: 'page-views', partitions: 3, createdAt: '2024-01-02T03:04:05.000Z', config: { 'retention.ms': '1000' } });
    store.create('clicks', 1);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'topics.json'), 'utf8'))).toEqual({
      clicks: { partitions: 1, createdAt: expect.any(String), config: {} },
      'page-views': { partitions: 3, createdAt: '2024-01-02T03:04:05.000Z', config: { 'retention.ms': '1000' } },
    });
    expect(fs.readdirSync(dir)).toEqual(['topics.json']); // no tmp file left behind

    const again = TopicStore.open(dir);
    expect(again.list().map((t) => [t.name, t.partitions])).toEqual([
      ['clicks', 1],
      ['page-views', 3],
    ]);
    expect(again.get('page-views')).toEqual(created);
    expect(again.delete('clicks')).toBe(true);
    expect(again.delete('clicks')).toBe(false);
    expect(TopicStore.open(dir).list().map((t) => t.name)).toEqual(['page-views']);
  });

  it('refuses duplicates, bad partition counts and bad names, and writes nothing then', () => {
    const store = TopicStore.open(dir);
    store.create('t', 1);
    const before = fs.readFileSync(path.join(dir, 'topics.json'), 'utf8');
    expect(() => store.create('t', 2)).toThrow(TopicExistsError);
    for (const n of [0, -1, 1.5, 10_001, NaN]) expect(() => store.create('u', n)).toThrow(InvalidPartitionsError);
    expect(() => store.create('a/b', 1)).toThrow(InvalidTopicError);
    expect(fs.readFileSync(path.join(dir, 'topics.json'), 'utf8')).toBe(before);
    expect(store.get('u')).toBeUndefined();
  });

  it('validates topic names as Kafka does', () => {
    for (const ok of ['a', 'A-Z_0.9', 'x'.repeat(249), '...', '_internal']) expect(() => validateTopicName(ok)).not.toThrow();
    for (const bad of ['', '.', '..', 'x'.repeat(250), 'with space', 'slash/name', 'ümlaut', 'tab\t', '../escape']) {
      expect(() => validateTopicName(bad)).toThrow(InvalidTopicError);
    }
  });

  it('ignores a leftover temporary file and refuses a damaged topics.json', () => {
    TopicStore.open(dir).create('kept', 2);
    fs.writeFileSync(path.join(dir, 'topics.json.tmp'), '{"half": ');
    expect(TopicStore.open(dir).list().map((t) => t.name)).toEqual(['kept']);
    expect(fs.existsSync(path.join(dir, 'topics.json.tmp'))).toBe(false);
    fs.writeFileSync(path.join(dir, 'topics.json'), '{"broken');
    expect(() => TopicStore.open(dir)).toThrow('topics.json is not valid JSON');
  });

  it('hands out copies, not its own state', () => {
    const store = TopicStore.open(dir);
    store.create('t', 1, { a: '1' });
    const t = store.get('t');
    if (t) t.config.a = 'changed';
    expect(store.get('t')?.config).toEqual({ a: '1' });
  });
});
