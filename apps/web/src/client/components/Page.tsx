// A page's root: its test id, heading and the grid its panels sit in.

import type { ReactNode } from 'react';

export function Page({ name, title, intro, children }: { name: string; title: string; intro?: ReactNode; children: ReactNode }) {
  return (
    <div className="page" data-testid={`page-${name}`}>
      <div className="page-head">
        <h1>{title}</h1>
        {intro ? <p className="muted">{intro}</p> : null}
      </div>
      <div className="grid">{children}</div>
    </div>
  );
}
