// One headline figure, with its change against the previous period when there is one.

import type { ReactNode } from 'react';
import type { Change } from '../lib/format';

const ARROWS = { up: '▲', down: '▼', flat: '■' } as const;

export function StatCard({ id, label, value, change }: { id: string; label: string; value: string; change?: Change }) {
  return (
    <div className="card" data-testid={`card-${id}`}>
      <div className="card-label">{label}</div>
      <div className="card-value" data-testid="card-value">
        {value}
      </div>
      {change ? (
        <div className={`card-change tone-${change.tone}`} data-testid="card-change">
          <span aria-hidden="true">{ARROWS[change.trend]}</span> {change.text}
          <span className="card-change-note"> vs previous period</span>
        </div>
      ) : null}
    </div>
  );
}

export function CardGrid({ children, label }: { children: ReactNode; label: string }) {
  return (
    <div className="cards" role="group" aria-label={label}>
      {children}
    </div>
  );
}
