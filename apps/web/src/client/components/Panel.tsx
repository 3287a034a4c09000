// A titled box on a page: heading, optional actions (CSV link, controls) and the content.

import { useId, type ReactNode } from 'react';

export interface PanelProps {
  title: string;
  testId?: string;
  actions?: ReactNode;
  /** Spans the whole grid row. */
  wide?: boolean;
  children: ReactNode;
}

export function Panel({ title, testId, actions, wide, children }: PanelProps) {
  const id = useId();
  return (
    <section className={wide ? 'panel panel-wide' : 'panel'} data-testid={testId} aria-labelledby={id}>
      <div className="panel-head">
        <h2 id={id}>{title}</h2>
        {actions ? <div className="panel-actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}
