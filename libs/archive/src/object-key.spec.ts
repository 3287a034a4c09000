// Unit tests of the raw object key layout of shared/DESIGN.md.
import { parseRawObjectKey, rawObjectKey, rawPrefix } from './index';

describe('raw object keys', () => {
  const ref = {
    topic: 'clickstream.events',
    partition: 4,
    firstOffset: '9007199254740993',
    lastOffset: '9007199254741992',
    receivedAt: new Date('2026-03-01T07:59:59.999Z'),
  };

  it('follow the layout of DESIGN.md and keep 64-bit offsets exact', () => {
    const key = rawObjectKey(ref);
    expect(key).toBe('raw/dt=2026-03-01/hour=07/clickstream.events-p4-9007199254740993-9007199254741992.ndjson.gz');
    expect(parseRawObjectKey(key)).toEqual({ date: '2026-03-01', hour: 7, topic: 'clickstream.events', partition: 4, firstOffset: ref.firstOffset, lastOffset: ref.lastOffset });
    expect(key.startsWith(rawPrefix('2026-03-01', 7))).toBe(true);
  });

  it('are the same for a replay of the same offsets', () => {
    expect(rawObjectKey(ref)).toBe(rawObjectKey({ ...ref }));
  });

  it('refuse offsets out of order or not numbers, and unknown keys parse to undefined', () => {
    expect(() => rawObjectKey({ ...ref, firstOffset: '10', lastOffset: '9' })).toThrow('after last');
    expect(() => rawObjectKey({ ...ref, firstOffset: '-1' })).toThrow('not a 64-bit offset');
    expect(parseRawObjectKey('raw/dt=2026-03-01/notes.txt')).toBeUndefined();
    expect(() => rawPrefix('March')).toThrow('YYYY-MM-DD');
  });
});
