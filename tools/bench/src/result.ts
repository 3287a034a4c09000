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

export const MARKDOWN_HEADER = '| benchmark | figure | baseline (same run) | ratio | target |\n|---|---|---|---|---|';

/** One markdown table row per result (under MARKDOWN_HEADER). */
export function toMarkdownRows(results: readonly BenchResult[]): string[] {
  return results.map((r) => {
    const baseline = r.baseline ? `${r.baseline.name}: ${r.baseline.value.toFixed(0)} ${r.unit}` : '—';
    const target = r.target ? `${r.target.text} — ${r.target.met ? 'pass' : 'short'}` : '—';
    return `| ${r.name} | ${r.figure} | ${baseline} | ${ratio(r)} | ${target} |`;
  });
}
