// Retention: weekly cohorts (by the week of a user's first session) and the share of them who
// came back each week after, as a grid shaded by rate.

import type { CSSProperties } from 'react';
import type { RetentionRow, Rows } from '../../shared/api-types';
import { ExportLink } from '../components/ExportLink';
import { Page } from '../components/Page';
import { Panel } from '../components/Panel';
import { noRows, QueryView } from '../components/QueryView';
import { withParam } from '../lib/filters';
import { formatNumber, formatPercent } from '../lib/format';
import { navigate, useLocation } from '../router';
import { useFilters } from '../use-filters';
import { useReport } from '../use-report';

const WEEK_CHOICES = [4, 8, 12, 26];
const DEFAULT_WEEKS = 8;

function cellStyle(rate: number): CSSProperties {
  const share = Math.max(0, Math.min(100, rate)) / 100;
  return { '--rate': share.toFixed(3) } as CSSProperties;
}

export default function RetentionPage() {
  const { query } = useFilters();
  const { pathname, search } = useLocation();
  const asked = Number(new URLSearchParams(search).get('weeks'));
  const weeks = WEEK_CHOICES.includes(asked) ? asked : DEFAULT_WEEKS;
  const retention = useReport<Rows<RetentionRow>>(query, 'retention', { weeks });

  return (
    <Page name="retention" title="Retention" intro="Users grouped by the week of their first session; each cell is the share who had a session that many weeks later.">
      <Panel
        title="Weekly cohorts"
        wide
        actions={
          <>
            <label className="inline-field">
              Weeks{' '}
              <select value={weeks} onChange={(e) => navigate(pathname + withParam(search, 'weeks', e.target.value === String(DEFAULT_WEEKS) ? undefined : e.target.value))}>
                {WEEK_CHOICES.map((w) => (
                  <option key={w} value={w}>
                    {w}
                  </option>
                ))}
              </select>
            </label>
            <ExportLink report="retention" query={query} extra={{ weeks }} />
          </>
        }
      >
        <QueryView query={retention} isEmpty={noRows}>
          {(d) => {
            const columns = Math.max(...d.rows.map((r) => r.rates.length));
            return (
              <div className="table-scroll" tabIndex={0} role="region" aria-label="Retention grid">
                <table className="table retention" data-testid="table-retention">
                  <thead>
                    <tr>
                      <th scope="col">Cohort (week of)</th>
                      <th scope="col" className="num">
                        Users
                      </th>
                      {Array.from({ length: columns }, (_, k) => (
                        <th key={k} scope="col" className="num">
                          Week {k}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {d.rows.map((r) => (
                      <tr key={r.cohort}>
                        <th scope="row">{r.cohort}</th>
                        <td className="num">{formatNumber(r.users)}</td>
                        {Array.from({ length: columns }, (_, k) =>
                          k < r.rates.length ? (
                            <td key={k} className={r.rates[k] >= 50 ? 'num heat heat-strong' : 'num heat'} style={cellStyle(r.rates[k])} title={`${formatNumber(r.retained[k])} of ${formatNumber(r.users)} users`}>
                              {formatPercent(r.rates[k])}
                            </td>
                          ) : (
                            <td key={k} className="num heat-none" aria-label="not yet">
                              {''}
                            </td>
                          ),
                        )}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            );
          }}
        </QueryView>
      </Panel>
    </Page>
  );
}
