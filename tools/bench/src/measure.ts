// Timing loops and summary statistics shared by every benchmark.

import { performance } from 'node:perf_hooks';

/** Runs `fn` (which processes `batch` items per call) for about `ms` milliseconds; returns items/s. */
export function throughput(fn: () => void, batch: number, ms: number): number {
  let items = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    fn();
    items += batch;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (items / elapsed) * 1000;
}

/** The p-th percentile (0–100) of a list of numbers, by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of an empty list');
  if (p < 0 || p > 100) throw new RangeError(`percentile ${p} is outside 0..100`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** 1234567 → "1.23M", 201234 → "201k". */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${Math.round(perSecond / 1e3)}k`;
  return perSecond.toFixed(0);
}
