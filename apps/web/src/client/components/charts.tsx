// What every Recharts chart of the dashboard shares: a figure with a text title, colours from the
// stylesheet's custom properties (so the theme switch recolours them), axes and tooltip styling.

import { useId, type CSSProperties, type ReactNode } from 'react';

/** Series colours, defined per theme in styles.css. */
export const SERIES = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)', 'var(--chart-5)', 'var(--chart-6)', 'var(--chart-7)', 'var(--chart-8)'];

export function seriesColor(i: number): string {
  return SERIES[i % SERIES.length];
}

export function chartStyle(height: number): CSSProperties {
  return { width: '100%', height };
}

export const axisProps = {
  stroke: 'var(--border-strong)',
  tick: { fill: 'var(--text-muted)', fontSize: 12 },
  tickLine: false,
} as const;

export const gridProps = { stroke: 'var(--border)', strokeDasharray: '3 3', vertical: false } as const;

export const tooltipProps = {
  contentStyle: { background: 'var(--surface)', border: '1px solid var(--border-strong)', borderRadius: 6, color: 'var(--text)' },
  labelStyle: { color: 'var(--text)' },
  itemStyle: { color: 'var(--text)' },
  cursor: { fill: 'var(--hover)', stroke: 'var(--border-strong)' },
} as const;

export const legendProps = { wrapperStyle: { fontSize: 12, color: 'var(--text-muted)' } } as const;

/** A chart with its title as text (the figure's caption) for screen readers and everyone else. */
export function ChartFigure({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <figure className="chart" aria-labelledby={id}>
      <figcaption id={id} className="chart-title">
        {title}
      </figcaption>
      {children}
    </figure>
  );
}
