// Overview: the range's headline figures against the previous period, sessions and users over
// time, the most visited pages and the most clicked buttons (seed 001's dashboard).

import { useQueries } from '@tanstack/react-query';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { ClickRow, EventTypeRow, OverviewReply, OverviewTotals, PageRow, Rows, TimeseriesPoint } from '../../shared/api-types';
import { getJson } from '../api/http';
import { axisProps, chartStyle, ChartFigure, gridProps, legendProps, seriesColor, tooltipProps } from '../components/charts';
import { ExportLink } from '../components/ExportLink';
import { Page } from '../components/Page';
import { Panel } from '../components/Panel';
import { noRows, QueryView } from '../components/QueryView';
import { ClicksTable, EventTypesTable, PagesTable } from '../components/report-tables';
import { CardGrid, StatCard } from '../components/StatCard';
import { apiUrl } from '../lib/filters';
import { formatBucket, formatChange, formatCompact, formatDuration, formatMoney, formatNumber, formatPercent } from '../lib/format';
import { useFilters } from '../use-filters';
import { useReport } from '../use-report';

const CARDS: { key: keyof OverviewTotals; label: string; format: (n: number) => string; higherIsBetter?: boolean }[] = [
  { key: 'events', label: 'Events', format: formatNumber },
  { key: 'page_views', label: 'Page views', format: formatNumber },
  { key: 'users', label: 'Users', format: formatNumber },
  { key: 'sessions', label: 'Sessions', format: formatNumber },
  { key: 'avg_session_seconds', label: 'Avg session duration', format: formatDuration },
  { key: 'bounce_rate', label: 'Bounce rate', format: formatPercent, higherIsBetter: false },
  { key: 'revenue', label: 'Revenue', format: formatMoney },
];

const TOP = 10;

function truncate(s: string, n = 24): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export default function OverviewPage() {
  const { query, interval, filters } = useFilters();
  const overview = useReport<OverviewReply>(query, 'overview');
  const pages = useReport<Rows<PageRow>>(query, 'pages', { limit: TOP });
  const clicks = useReport<Rows<ClickRow>>(query, 'clicks', { limit: TOP });
  const types = useReport<Rows<EventTypeRow>>(query, 'event-types');

  // Sessions and users come from two timeseries requests, drawn as one chart.
  const series = useQueries({
    queries: (['sessions', 'users'] as const).map((metric) => {
      const url = query ? apiUrl('timeseries', query, { metric, interval }) : '';
      return { queryKey: ['api', url], queryFn: ({ signal }: { signal: AbortSignal }) => getJson<Rows<TimeseriesPoint>>(url, signal), enabled: !!query };
    }),
    combine: ([sessions, users]) => {
      const failed = sessions.error ?? users.error;
      const data =
        sessions.data && users.data
          ? mergeSeries(sessions.data.rows, users.data.rows).map((p) => ({ ...p, label: formatBucket(p.t, interval, filters.tz) }))
          : undefined;
      return {
        data,
        isError: !!failed,
        error: failed,
        refetch: () => Promise.all([sessions.refetch(), users.refetch()]),
      };
    },
  });

  return (
    <Page name="overview" title="Overview">
      <Panel title="Totals" wide>
        <QueryView query={overview} isEmpty={(o) => o.events === 0 && o.previous.events === 0}>
          {(o) => (
            <CardGrid label="Totals for the range">
              {CARDS.map((c) => (
                <StatCard key={c.key} id={c.key} label={c.label} value={c.format(o[c.key])} change={formatChange(o[c.key], o.previous[c.key], c.higherIsBetter ?? true)} />
              ))}
            </CardGrid>
          )}
        </QueryView>
      </Panel>

      <Panel title="Sessions and users" wide actions={<ExportLink report="timeseries" query={query} extra={{ metric: 'sessions', interval }} />}>
        <QueryView query={series} isEmpty={(d) => d.every((p) => p.sessions === 0 && p.users === 0)}>
          {(data) => (
            <ChartFigure title={`Sessions and users per ${interval}`}>
              <LineChart responsive style={chartStyle(280)} data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
                <CartesianGrid {...gridProps} />
                <XAxis dataKey="label" {...axisProps} minTickGap={24} />
                <YAxis {...axisProps} width={48} tickFormatter={formatCompact} allowDecimals={false} />
                <Tooltip {...tooltipProps} formatter={(v) => formatNumber(Number(v))} />
                <Legend {...legendProps} />
                <Line type="monotone" dataKey="sessions" name="Sessions" stroke={seriesColor(0)} strokeWidth={2} dot={false} isAnimationActive={false} />
                <Line type="monotone" dataKey="users" name="Users" stroke={seriesColor(1)} strokeWidth={2} dot={false} isAnimationActive={false} />
              </LineChart>
            </ChartFigure>
          )}
        </QueryView>
      </Panel>

      <Panel title="Page engagement" wide actions={<ExportLink report="pages" query={query} extra={{ limit: TOP }} />}>
        <QueryView query={pages} isEmpty={noRows}>
          {(d) => (
            <>
              <ChartFigure title={`Top ${TOP} pages by visits`}>
                <BarChart responsive style={chartStyle(Math.max(160, d.rows.length * 28 + 40))} data={d.rows} layout="vertical" margin={{ top: 0, right: 16, bottom: 0, left: 0 }}>
                  <CartesianGrid {...gridProps} horizontal={false} vertical />
                  <XAxis type="number" {...axisProps} tickFormatter={formatCompact} allowDecimals={false} />
                  <YAxis type="category" dataKey="path" {...axisProps} width={120} tickFormatter={(v: string) => truncate(v, 18)} />
                  <Tooltip {...tooltipProps} formatter={(v) => formatNumber(Number(v))} />
                  <Bar dataKey="page_views" name="Visits" fill={seriesColor(0)} radius={[0, 3, 3, 0]} isAnimationActive={false} />
                </BarChart>
              </ChartFigure>
              <PagesTable rows={d.rows} />
            </>
          )}
        </QueryView>
      </Panel>

      <Panel title="Click analytics" actions={<ExportLink report="clicks" query={query} extra={{ limit: TOP }} />}>
        <QueryView query={clicks} isEmpty={noRows}>
          {(d) => <ClicksTable rows={d.rows} />}
        </QueryView>
      </Panel>

      <Panel title="Events by type" actions={<ExportLink report="event-types" query={query} />}>
        <QueryView query={types} isEmpty={noRows}>
          {(d) => <EventTypesTable rows={d.rows} />}
        </QueryView>
      </Panel>
    </Page>
  );
}

/** Two series on one time axis (a bucket missing from one counts 0 there). */
function mergeSeries(sessions: TimeseriesPoint[], users: TimeseriesPoint[]): { t: string; sessions: number; users: number }[] {
  const byT = new Map<string, { t: string; sessions: number; users: number }>();
  for (const p of sessions) byT.set(p.t, { t: p.t, sessions: p.value, users: 0 });
  for (const p of users) byT.set(p.t, { ...(byT.get(p.t) ?? { t: p.t, sessions: 0, users: 0 }), users: p.value });
  return [...byT.values()].sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
}
