// The tables that appear on more than one page (top pages, clicks, event types), column by column.

import type { ClickRow, EventTypeRow, PageRow, ScrollDepthRow } from '../../shared/api-types';
import { formatDuration, formatNumber, formatPercent } from '../lib/format';
import { DataTable, ShareBar, type Column } from './DataTable';

/** A page path; page views sent without one are grouped under '' and shown as such. */
function PathText({ path }: { path: string }) {
  return path === '' ? <span className="cell-text muted">(no path)</span> : <span className="cell-text">{path}</span>;
}

export function PagesTable({ rows }: { rows: PageRow[] }) {
  const max = Math.max(0, ...rows.map((r) => r.page_views));
  const columns: Column<PageRow>[] = [
    { key: 'path', label: 'Path', render: (r) => <PathText path={r.path} /> },
    { key: 'page_views', label: 'Visits', numeric: true, render: (r) => <ShareBar value={r.page_views} max={max} label={formatNumber(r.page_views)} /> },
    { key: 'unique_users', label: 'Unique users', numeric: true, render: (r) => formatNumber(r.unique_users) },
    { key: 'avg_time_seconds', label: 'Avg time on page', numeric: true, render: (r) => formatDuration(r.avg_time_seconds) },
    { key: 'avg_scroll_depth', label: 'Avg scroll depth', numeric: true, render: (r) => formatPercent(r.avg_scroll_depth) },
    { key: 'exits', label: 'Exits', numeric: true, render: (r) => formatNumber(r.exits) },
  ];
  return <DataTable columns={columns} rows={rows} rowKey={(r) => r.path} testId="table-pages" caption="Pages" />;
}

export function ClicksTable({ rows }: { rows: ClickRow[] }) {
  const maxCtr = Math.max(0, ...rows.map((r) => r.ctr ?? 0));
  const columns: Column<ClickRow>[] = [
    { key: 'button_id', label: 'Button', render: (r) => <span className="cell-text">{r.button_id}</span> },
    { key: 'path', label: 'Page', render: (r) => <PathText path={r.path} /> },
    { key: 'clicks', label: 'Clicks', numeric: true, render: (r) => formatNumber(r.clicks) },
    { key: 'page_views', label: 'Page views', numeric: true, render: (r) => formatNumber(r.page_views) },
    { key: 'ctr', label: 'CTR', numeric: true, render: (r) => <ShareBar value={r.ctr ?? 0} max={maxCtr} label={formatPercent(r.ctr)} /> },
  ];
  return <DataTable columns={columns} rows={rows} rowKey={(r) => `${r.path}\u0000${r.button_id}`} testId="table-clicks" caption="Clicks" />;
}

export function EventTypesTable({ rows }: { rows: EventTypeRow[] }) {
  const max = Math.max(0, ...rows.map((r) => r.events));
  const columns: Column<EventTypeRow>[] = [
    { key: 'event_type', label: 'Event type', render: (r) => r.event_type },
    { key: 'events', label: 'Events', numeric: true, render: (r) => <ShareBar value={r.events} max={max} label={formatNumber(r.events)} /> },
  ];
  return <DataTable columns={columns} rows={rows} rowKey={(r) => r.event_type} testId="table-event-types" caption="Events by type" />;
}

export function ScrollDepthTable({ rows }: { rows: ScrollDepthRow[] }) {
  const columns: Column<ScrollDepthRow>[] = [
    { key: 'path', label: 'Path', render: (r) => <PathText path={r.path} /> },
    { key: 'scroll_events', label: 'Scroll events', numeric: true, render: (r) => formatNumber(r.scroll_events) },
    { key: 'avg', label: 'Avg depth', numeric: true, render: (r) => <ShareBar value={r.avg_scroll_depth ?? 0} max={100} label={formatPercent(r.avg_scroll_depth)} /> },
    { key: 'max', label: 'Max depth', numeric: true, render: (r) => formatPercent(r.max_scroll_depth) },
    { key: 'views', label: 'Page views scrolled', numeric: true, render: (r) => formatNumber(r.page_views_scrolled) },
  ];
  return <DataTable columns={columns} rows={rows} rowKey={(r) => r.path} testId="table-scroll-depth" caption="Scroll depth" />;
}
