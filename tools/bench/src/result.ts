// One benchmark's figures: what was measured, the baseline beside it, and the target it answers to.

export interface BenchResult {
  name: string;
  figure: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  target?: { text: string; met: boolean };
  /** What a reader needs to know to read the figure right (printed under the table). */
  note?: string;
}

export function ratio(result: BenchResult): string {
  return result.baseline ? `${(result.value / result.baseline.value).toFixed(2)}×` : '—';
}

export function toMarkdownTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => {
    const baseline = r.baseline ? `${r.baseline.name}: ${r.baseline.value.toFixed(0)} ${r.unit}` : '—';
    const target = r.target ? `${r.target.text} — ${r.target.met ? 'pass' : 'short'}` : '—';
    return `| ${r.name} | ${r.figure} | ${baseline} | ${ratio(r)} | ${target} |`;
  });
  return ['| benchmark | figure | baseline (same run) | ratio | target |', '|---|---|---|---|---|', ...rows].join('\n');
}
