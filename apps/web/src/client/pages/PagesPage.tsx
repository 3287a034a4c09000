// Pages: engagement per path (visits, users, time, scroll depth, exits) and scroll depth per path.

import type { PageRow, Rows, ScrollDepthRow } from '../../shared/api-types';
import { ExportLink } from '../components/ExportLink';
import { Page } from '../components/Page';
import { Panel } from '../components/Panel';
import { noRows, QueryView } from '../components/QueryView';
import { PagesTable, ScrollDepthTable } from '../components/report-tables';
import { useFilters } from '../use-filters';
import { useReport } from '../use-report';

export default function PagesPage() {
  const { query } = useFilters();
  const pages = useReport<Rows<PageRow>>(query, 'pages');
  const scroll = useReport<Rows<ScrollDepthRow>>(query, 'scroll-depth');
  return (
    <Page name="pages" title="Pages">
      <Panel title="Page engagement" wide actions={<ExportLink report="pages" query={query} />}>
        <QueryView query={pages} isEmpty={noRows}>
          {(d) => <PagesTable rows={d.rows} />}
        </QueryView>
      </Panel>
      <Panel title="Scroll depth" wide actions={<ExportLink report="scroll-depth" query={query} />}>
        <QueryView query={scroll} isEmpty={noRows}>
          {(d) => <ScrollDepthTable rows={d.rows} />}
        </QueryView>
      </Panel>
    </Page>
  );
}
