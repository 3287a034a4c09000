// A table that scrolls sideways inside its panel on narrow screens. Cells are React text.

import type { ReactNode } from 'react';

export interface Column<T> {
  key: string;
  label: string;
  numeric?: boolean;
  render: (row: T) => ReactNode;
}

export interface DataTableProps<T> {
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T, index: number) => string;
  testId?: string;
  caption?: string;
}

export function DataTable<T>({ columns, rows, rowKey, testId, caption }: DataTableProps<T>) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={caption ?? 'Table'}>
      <table className="table" data-testid={testId}>
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={rowKey(row, i)}>
              {columns.map((c) => (
                <td key={c.key} className={c.numeric ? 'num' : undefined}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A horizontal bar showing `value` as a share of `max`, next to its figure. */
export function ShareBar({ value, max, label }: { value: number; max: number; label: string }) {
  const pct = max > 0 ? Math.max(0, Math.min(100, (value / max) * 100)) : 0;
  return (
    <span className="share">
      <span className="share-track" aria-hidden="true">
        <span className="share-fill" style={{ width: `${pct}%` }} />
      </span>
      <span className="share-label">{label}</span>
    </span>
  );
}
