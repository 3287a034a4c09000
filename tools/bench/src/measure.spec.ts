import { formatRate, median, percentile, throughput } from './measure';
import { ratio, toMarkdownTable, type BenchResult } from './result';

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
    expect(toMarkdownTable([result])).toContain('| x | 250k events/s | json: 500000 events/s | 0.50× | ≥ 200k events/s — pass |');
    expect(formatRate(1_234_567)).toBe('1.23M');
    expect(formatRate(201_234)).toBe('201k');
  });
});
