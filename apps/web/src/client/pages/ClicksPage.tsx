// Clicks: click-through rate by button and page, as a chart of the top buttons and a table.

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { ClickRow, Rows } from '../../shared/api-types';
import { axisProps, chartStyle, ChartFigure, gridProps, legendProps, seriesColor, tooltipProps } from '../components/charts';
import { ExportLink } from '../components/ExportLink';
import { Page } from '../components/Page';
import { Panel } from '../components/Panel';
import { noRows, QueryView } from '../components/QueryView';
import { ClicksTable } from '../components/report-tables';
import { formatCompact, formatNumber, formatPercent } from '../lib/format';
import { useFilters } from '../use-filters';
import { useReport } from '../use-report';

const CHART_ROWS = 12;

function label(r: ClickRow): string {
  const s = `${r.button_id} · ${r.path}`;
  return s.length > 28 ? `${s.slice(0, 27)}…` : s;
}

export default function ClicksPage() {
  const { query } = useFilters();
  const clicks = useReport<Rows<ClickRow>>(query, 'clicks');
  return (
    <Page name="clicks" title="Clicks">
      <Panel title="Clicks and CTR by button" wide>
        <QueryView query={clicks} isEmpty={noRows}>
          {(d) => {
            const data = d.rows.slice(0, CHART_ROWS).map((r) => ({ label: label(r), clicks: r.clicks, ctr: r.ctr ?? 0 }));
            return (
              <ChartFigure title={`Top ${data.length} buttons: clicks and click-through rate`}>
                <BarChart responsive style={chartStyle(Math.max(180, data.length * 34 + 60))} data={data} layout="vertical" margin={{ top: 0, right: 16, bottom: 0, left: 0 }}>
                  <CartesianGrid {...gridProps} horizontal={false} vertical />
                  <XAxis xAxisId="clicks" type="number" orientation="bottom" {...axisProps} tickFormatter={formatCompact} allowDecimals={false} />
                  <XAxis xAxisId="ctr" type="number" orientation="top" {...axisProps} unit="%" domain={[0, 'auto']} />
                  <YAxis type="category" dataKey="label" {...axisProps} width={150} />
                  <Tooltip {...tooltipProps} formatter={(v, name) => (name === 'CTR' ? formatPercent(Number(v)) : formatNumber(Number(v)))} />
                  <Legend {...legendProps} />
                  <Bar xAxisId="clicks" dataKey="clicks" name="Clicks" fill={seriesColor(0)} isAnimationActive={false} />
                  <Bar xAxisId="ctr" dataKey="ctr" name="CTR" fill={seriesColor(2)} isAnimationActive={false} />
                </BarChart>
              </ChartFigure>
            );
          }}
        </QueryView>
      </Panel>
      <Panel title="Click-through by button and page" wide actions={<ExportLink report="clicks" query={query} />}>
        <QueryView query={clicks} isEmpty={noRows}>
          {(d) => <ClicksTable rows={d.rows} />}
        </QueryView>
      </Panel>
    </Page>
  );
}
