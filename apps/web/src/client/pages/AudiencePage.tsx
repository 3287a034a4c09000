// Audience: events, users and sessions by country, device, browser, OS, referrer and UTM source.

import type { BreakdownRow, ReportQuery, Rows } from '../../shared/api-types';
import { DataTable, ShareBar, type Column } from '../components/DataTable';
import { ExportLink } from '../components/ExportLink';
import { Page } from '../components/Page';
import { Panel } from '../components/Panel';
import { noRows, QueryView } from '../components/QueryView';
import { formatNumber } from '../lib/format';
import { useFilters } from '../use-filters';
import { useReport } from '../use-report';

const DIMENSIONS = [
  { dimension: 'country', title: 'Countries', label: 'Country' },
  { dimension: 'device_type', title: 'Devices', label: 'Device' },
  { dimension: 'browser', title: 'Browsers', label: 'Browser' },
  { dimension: 'os', title: 'Operating systems', label: 'OS' },
  { dimension: 'referrer_domain', title: 'Referrers', label: 'Referrer domain' },
  { dimension: 'utm_source', title: 'UTM sources', label: 'UTM source' },
] as const;

const LIMIT = 20;

export default function AudiencePage() {
  const { query } = useFilters();
  return (
    <Page name="audience" title="Audience">
      {DIMENSIONS.map((d) => (
        <Breakdown key={d.dimension} query={query} {...d} />
      ))}
    </Page>
  );
}

function Breakdown({ query, dimension, title, label }: { query: ReportQuery | undefined; dimension: string; title: string; label: string }) {
  // A limit in the URL wins over the page's own.
  const limit = query?.limit ?? LIMIT;
  const rows = useReport<Rows<BreakdownRow>>(query, 'breakdown', { dimension, limit });
  return (
    <Panel title={title} testId={`panel-breakdown-${dimension}`} actions={<ExportLink report="breakdown" query={query} extra={{ dimension, limit }} />}>
      <QueryView query={rows} isEmpty={noRows}>
        {(d) => {
          const max = Math.max(0, ...d.rows.map((r) => r.events));
          const columns: Column<BreakdownRow>[] = [
            { key: 'value', label, render: (r) => <span className="cell-text">{r.value || '(none)'}</span> },
            { key: 'events', label: 'Events', numeric: true, render: (r) => <ShareBar value={r.events} max={max} label={formatNumber(r.events)} /> },
            { key: 'users', label: 'Users', numeric: true, render: (r) => formatNumber(r.users) },
            { key: 'sessions', label: 'Sessions', numeric: true, render: (r) => formatNumber(r.sessions) },
          ];
          return <DataTable columns={columns} rows={d.rows} rowKey={(r) => r.value} testId="table-breakdown" caption={title} />;
        }}
      </QueryView>
    </Panel>
  );
}
