// Live: /api/live once at load, then every /ws/live tick moves the figures on — events per minute
// over the last hour, today's total, events by type, the events/second sparkline and the feed.

import { useCallback, useEffect, useState } from 'react';
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Pie, PieChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { LiveReply, LiveTick, Rows, UserRow } from '../../shared/api-types';
import { useApi } from '../api/queries';
import { axisProps, chartStyle, ChartFigure, gridProps, legendProps, seriesColor, tooltipProps } from '../components/charts';
import { DataTable, type Column } from '../components/DataTable';
import { ExportLink } from '../components/ExportLink';
import { Page } from '../components/Page';
import { Panel } from '../components/Panel';
import { Empty, QueryView, type QueryLike } from '../components/QueryView';
import { VolumeChart } from '../components/VolumeChart';
import { apiUrl } from '../lib/filters';
import { formatCompact, formatMinute, formatNumber, formatTime } from '../lib/format';
import { applyTick, initialLiveState, type LiveState } from '../lib/live-series';
import { useLiveSocket, type SocketStatus } from '../live/use-live-socket';
import { useFilters } from '../use-filters';

const TOP_USERS = 5;

const userColumns: Column<UserRow>[] = [
  { key: 'user_id', label: 'User', render: (r) => <span className="cell-text">{r.user_id}</span> },
  { key: 'events', label: 'Events', numeric: true, render: (r) => formatNumber(r.events) },
];

export default function LivePage() {
  const { site, filters } = useFilters();
  const tz = filters.tz;
  // Loaded once per visit; the socket keeps it current from then on.
  const live = useApi<LiveReply>(site ? apiUrl('live', { site, tz }) : undefined, { staleTime: Infinity, refetchOnMount: 'always', gcTime: 0 });
  const [state, setState] = useState<LiveState | undefined>();
  useEffect(() => {
    setState(live.data ? initialLiveState(live.data, new Date()) : undefined);
  }, [live.data]);

  const onTick = useCallback((tick: LiveTick) => setState((s) => (s ? applyTick(s, tick) : s)), []);
  const status = useLiveSocket(site, live.data !== undefined, onTick);

  // Top users of the last hour: from /api/live first, then /api/users/top every minute.
  const topUsersQuery = site ? { site, tz } : undefined;
  const topUsers = useApi<Rows<UserRow>>(topUsersQuery ? apiUrl('users/top', topUsersQuery, { window: '1h', limit: TOP_USERS }) : undefined, {
    refetchInterval: 60_000,
    enabled: live.data !== undefined,
  });
  const users: QueryLike<UserRow[]> = {
    data: topUsers.data?.rows ?? live.data?.top_users_last_hour.slice(0, TOP_USERS),
    isError: live.isError || (topUsers.isError && !live.data),
    error: live.error ?? topUsers.error,
    refetch: () => (live.isError ? live.refetch() : topUsers.refetch()),
  };
  // Panels fed by the live state share the /api/live query's loading and error states.
  const liveState: QueryLike<LiveState> = { data: state, isError: live.isError, error: live.error, refetch: () => live.refetch() };

  return (
    <Page name="live" title="Live" intro={<StatusBadge status={status} />}>
      <Panel title="Today">
        <QueryView query={liveState}>
          {(s) => (
            <div className="live-today">
              <div className="card">
                <div className="card-label">Events today</div>
                <div className="card-value" data-testid="live-total-today">
                  {formatNumber(s.eventsToday)}
                </div>
                <div className="card-change muted">{formatNumber(s.eventsSinceLoad)} since this page opened</div>
              </div>
              <div className="card">
                <div className="card-label">Events in the last second</div>
                <div className="card-value" data-testid="live-last-second">
                  {formatNumber(s.perSecond.at(-1) ?? 0)}
                </div>
                <Sparkline values={s.perSecond} />
              </div>
            </div>
          )}
        </QueryView>
      </Panel>

      <Panel title="Events per minute">
        <QueryView query={liveState} isEmpty={(s) => s.perMinute.every((p) => p.events === 0)} emptyMessage="No events in the last hour">
          {(s) => (
            <ChartFigure title="Events per minute, last 60 minutes">
              <BarChart responsive style={chartStyle(220)} data={s.perMinute.map((p) => ({ ...p, label: formatMinute(p.minute, tz) }))} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
                <CartesianGrid {...gridProps} />
                <XAxis dataKey="label" {...axisProps} minTickGap={24} />
                <YAxis {...axisProps} width={44} tickFormatter={formatCompact} allowDecimals={false} />
                <Tooltip {...tooltipProps} formatter={(v) => formatNumber(Number(v))} />
                <Bar dataKey="events" name="Events" fill={seriesColor(0)} isAnimationActive={false} />
              </BarChart>
            </ChartFigure>
          )}
        </QueryView>
      </Panel>

      <Panel title="Events by type today">
        <QueryView query={liveState} isEmpty={(s) => s.byType.length === 0} emptyMessage="No events today">
          {(s) => (
            <ChartFigure title="Share of today's events by type">
              <PieChart responsive style={chartStyle(240)}>
                <Pie
                  data={s.byType.map((t, i) => ({ name: t.event_type, value: t.events, fill: seriesColor(i) }))}
                  dataKey="value"
                  nameKey="name"
                  innerRadius="45%"
                  outerRadius="80%"
                  stroke="var(--surface)"
                  isAnimationActive={false}
                />
                <Tooltip {...tooltipProps} formatter={(v) => formatNumber(Number(v))} />
                <Legend {...legendProps} />
              </PieChart>
            </ChartFigure>
          )}
        </QueryView>
      </Panel>

      <Panel title="Top users, last hour" actions={<ExportLink report="users-top" query={topUsersQuery} extra={{ window: '1h', limit: TOP_USERS }} />}>
        <QueryView query={users} isEmpty={(rows) => rows.length === 0} emptyMessage="No users in the last hour">
          {(rows) => <DataTable columns={userColumns} rows={rows} rowKey={(r) => r.user_id} testId="table-users-top" caption="Top users in the last hour" />}
        </QueryView>
      </Panel>

      <Panel title="Live events" wide>
        <QueryView query={liveState}>
          {(s) => (
            <>
              {s.feed.length === 0 ? <Empty message={status === 'live' ? 'Waiting for events…' : 'Connecting to the live feed…'} /> : null}
              <ul className="live-feed" data-testid="live-feed" aria-live="polite" aria-relevant="additions" aria-label="Most recent events, newest first">
                {s.feed.map((e) => (
                  <li key={e.event_id}>
                    <time dateTime={e.event_time}>{formatTime(e.event_time, tz)}</time>
                    <span className={`badge badge-${e.event_type}`}>{e.event_type}</span>
                    <span className="feed-what cell-text">{e.event_type === 'custom' && e.event_name ? e.event_name : (e.path ?? e.event_name ?? '')}</span>
                    {e.button_id ? <span className="feed-meta cell-text">#{e.button_id}</span> : null}
                    <span className="feed-meta cell-text">{e.user_id}</span>
                    {e.country || e.device_type ? <span className="feed-meta">{[e.country, e.device_type].filter(Boolean).join(' · ')}</span> : null}
                  </li>
                ))}
              </ul>
            </>
          )}
        </QueryView>
      </Panel>

      <Panel title="Data volume growth" wide>
        <QueryView query={live} isEmpty={(d) => d.volume.length === 0}>
          {(d) => (
            <VolumeChart title="Events and raw bytes per day" volume={d.volume} />
          )}
        </QueryView>
      </Panel>
    </Page>
  );
}

function StatusBadge({ status }: { status: SocketStatus }) {
  const text = status === 'live' ? 'live' : status === 'reconnecting' ? 'reconnecting' : 'connecting';
  return (
    <span className={`status status-${status}`} role="status" data-testid="live-status">
      <span className="status-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function Sparkline({ values }: { values: number[] }) {
  if (values.length === 0) return <div className="sparkline-empty muted">Waiting for the first tick…</div>;
  return (
    <ChartFigure title="Events per second, last 60 seconds">
      <AreaChart responsive style={chartStyle(56)} data={values.map((v, i) => ({ i, v }))} margin={{ top: 4, right: 0, bottom: 0, left: 0 }}>
        <YAxis hide domain={[0, 'auto']} />
        <Area type="monotone" dataKey="v" stroke={seriesColor(0)} fill={seriesColor(0)} fillOpacity={0.25} isAnimationActive={false} dot={false} />
      </AreaChart>
    </ChartFigure>
  );
}
