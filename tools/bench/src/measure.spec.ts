import { formatRate, median, percentile, throughput } from './measure';
import { recordRuns, renderReport } from './report';
import { ratio, toMarkdownRows, type BenchResult } from './result';

describe('percentile', () => {
  it('uses nearest rank on unsorted input', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(median([3, 1, 2])).toBe(2);
  });

  it('refuses an empty list or a bad rank', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('throughput', () => {
  it('counts the items processed per second of wall time', () => {
    let calls = 0;
    const rate = throughput(() => calls++, 10, 20);
    expect(calls).toBeGreaterThan(0);
    expect(rate).toBeGreaterThan(0);
  });
});

describe('report table', () => {
  const result: BenchResult = {
    name: 'x',
    figure: '250k events/s',
    value: 250_000,
    unit: 'events/s',
    baseline: { name: 'json', value: 500_000 },
    target: { text: '≥ 200k events/s', met: true },
  };

  it('prints the ratio against the baseline and the target mark', () => {
    expect(ratio(result)).toBe('0.50×');
    expect(toMarkdownRows([result])).toEqual(['| x | 250k events/s | json: 500000 events/s | 0.50× | ≥ 200k events/s — pass |']);
    expect(formatRate(1_234_567)).toBe('1.23M');
    expect(formatRate(201_234)).toBe('201k');
  });
});

describe('recorded runs', () => {
  const row = (name: string, value: number): BenchResult => ({ name, figure: `${value} ms`, value, unit: 'ms', note: `about ${name}` });

  it('replaces the rows of the benchmarks run and keeps the others, each with its own date', () => {
    const first = recordRuns({}, new Map([['a', [row('a one', 1)]], ['b', [row('b one', 2), row('b two', 3)]]]), 'npm run bench -- --write', new Date('2026-01-01T00:00:00Z'));
    const second = recordRuns(first, new Map([['b', [row('b again', 4)]]]), 'npm run bench -- b --write', new Date('2026-02-01T00:00:00Z'));
    expect(second.a).toEqual(first.a);
    expect(second.b.rows).toEqual(['| b again | 4 ms | — | — | — |']);

    const markdown = renderReport(second, ['b', 'a']);
    const table = markdown.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| benchmark'));
    // in the given order; the replaced rows are gone
    expect(table).toEqual(['| b again | 4 ms | — | — | — |', '| a one | 1 ms | — | — | — |']);
    expect(markdown).toContain('- `a`: run 2026-01-01T00:00:00.000Z (`npm run bench -- --write`)');
    expect(markdown).toContain('- `b`: run 2026-02-01T00:00:00.000Z (`npm run bench -- b --write`)');
    expect(markdown).toContain('- *b again*: about b again');
    expect(markdown).not.toContain('b two');
  });
});
