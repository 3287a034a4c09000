// The pipeline view's arithmetic without any server: lag from stored offsets, and the volume days.

import { lagFromCommits, lastUtcDays } from './pipeline-status';

describe('lagFromCommits', () => {
  it('measures each partition from its commit, from the log start when there is none or it is older, and never below 0', () => {
    const ranges = [
      { partition: 2, low: '0', high: '10' },
      { partition: 0, low: '5', high: '20' },
      { partition: 1, low: '0', high: '3' },
      { partition: 3, low: '0', high: '4' },
    ];
    const commits = new Map([
      [0, '2'],
      [1, '3'],
      [3, '9'],
    ]);
    expect(lagFromCommits(ranges, commits)).toEqual([
      { partition: 0, committed: '2', end: '20', lag: 15 },
      { partition: 1, committed: '3', end: '3', lag: 0 },
      { partition: 2, committed: null, end: '10', lag: 10 },
      { partition: 3, committed: '9', end: '4', lag: 0 },
    ]);
  });
});

describe('lastUtcDays', () => {
  it('lists the UTC days up to today, oldest first', () => {
    const days = lastUtcDays(Date.parse('2026-03-02T23:59:59.999Z'), 30);
    expect(days).toHaveLength(30);
    expect(days[0]).toBe('2026-02-01');
    expect(days[29]).toBe('2026-03-02');
    expect(lastUtcDays(Date.parse('2026-03-03T00:00:00Z'), 2)).toEqual(['2026-03-02', '2026-03-03']);
  });
});
