// Sessions: per day, sessions and users, average duration and bounce rate.

import { Bar, CartesianGrid, ComposedChart, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { Rows, SessionsDayRow } from '../../shared/api-types';
import { axisProps, chartStyle, ChartFigure, gridProps, legendProps, seriesColor, tooltipProps } from '../components/charts';
import { DataTable, type Column } from '../components/DataTable';
import { ExportLink } from '../components/ExportLink';
import { Page } from '../components/Page';
import { Panel } from '../components/Panel';
import { noRows, QueryView } from '../components/QueryView';
import { formatCompact, formatDay, formatDuration, formatNumber, formatPercent } from '../lib/format';
import { useFilters } from '../use-filters';
import { useReport } from '../use-report';

const columns: Column<SessionsDayRow>[] = [
  { key: 'day', label: 'Day', render: (r) => r.day },
  { key: 'sessions', label: 'Sessions', numeric: true, render: (r) => formatNumber(r.sessions) },
  { key: 'users', label: 'Users', numeric: true, render: (r) => formatNumber(r.users) },
  { key: 'avg_duration_seconds', label: 'Avg duration', numeric: true, render: (r) => formatDuration(r.avg_duration_seconds) },
  { key: 'avg_page_views', label: 'Pages / session', numeric: true, render: (r) => formatNumber(r.avg_page_views) },
  { key: 'bounce_rate', label: 'Bounce rate', numeric: true, render: (r) => formatPercent(r.bounce_rate) },
];

export default function SessionsPage() {
  const { query } = useFilters();
  const days = useReport<Rows<SessionsDayRow>>(query, 'sessions/daily');
  return (
    <Page name="sessions" title="Sessions">
      <Panel title="Sessions per day">
        <QueryView query={days} isEmpty={noRows}>
          {(d) => (
            <ChartFigure title="Sessions and users per day">
              <ComposedChart responsive style={chartStyle(260)} data={d.rows.map((r) => ({ ...r, label: formatDay(r.day) }))} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
                <CartesianGrid {...gridProps} />
                <XAxis dataKey="label" {...axisProps} minTickGap={16} />
                <YAxis {...axisProps} width={48} tickFormatter={formatCompact} allowDecimals={false} />
                <Tooltip {...tooltipProps} formatter={(v) => formatNumber(Number(v))} />
                <Legend {...legendProps} />
                <Bar dataKey="sessions" name="Sessions" fill={seriesColor(0)} isAnimationActive={false} />
                <Line type="monotone" dataKey="users" name="Users" stroke={seriesColor(1)} strokeWidth={2} dot={false} isAnimationActive={false} />
              </ComposedChart>
            </ChartFigure>
          )}
        </QueryView>
      </Panel>
      <Panel title="Duration and bounce rate">
        <QueryView query={days} isEmpty={noRows}>
          {(d) => (
            <ChartFigure title="Average session duration (seconds) and bounce rate (%) per day">
              <LineChart responsive style={chartStyle(260)} data={d.rows.map((r) => ({ ...r, label: formatDay(r.day) }))} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
                <CartesianGrid {...gridProps} />
                <XAxis dataKey="label" {...axisProps} minTickGap={16} />
                <YAxis yAxisId="duration" {...axisProps} width={64} tickFormatter={(v: number) => formatDuration(v)} />
                <YAxis yAxisId="bounce" orientation="right" {...axisProps} width={44} unit="%" domain={[0, 100]} />
                <Tooltip {...tooltipProps} formatter={(v, name) => (name === 'Bounce rate' ? formatPercent(Number(v)) : formatDuration(Number(v)))} />
                <Legend {...legendProps} />
                <Line yAxisId="duration" type="monotone" dataKey="avg_duration_seconds" name="Avg duration" stroke={seriesColor(2)} strokeWidth={2} dot={false} isAnimationActive={false} />
                <Line yAxisId="bounce" type="monotone" dataKey="bounce_rate" name="Bounce rate" stroke={seriesColor(3)} strokeWidth={2} dot={false} isAnimationActive={false} />
              </LineChart>
            </ChartFigure>
          )}
        </QueryView>
      </Panel>
      <Panel title="Daily sessions" wide actions={<ExportLink report="sessions-daily" query={query} />}>
        <QueryView query={days} isEmpty={noRows}>
          {(d) => <DataTable columns={columns} rows={d.rows} rowKey={(r) => r.day} testId="table-sessions-daily" caption="Sessions per day" />}
        </QueryView>
      </Panel>
    </Page>
  );
}
