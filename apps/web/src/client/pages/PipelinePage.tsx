// Pipeline health: consumer lag per group and partition, the ETL's last runs and backlog, the
// dead-letter queue with the headers that say why each item is there, the archive and the daily
// volume. Refreshed every 10 s.

import type { PartitionLagRow, PipelineReply } from '../../shared/api-types';
import { useApi } from '../api/queries';
import { DataTable, type Column } from '../components/DataTable';
import { Page } from '../components/Page';
import { VolumeChart } from '../components/VolumeChart';
import { Panel } from '../components/Panel';
import { QueryView } from '../components/QueryView';
import { CardGrid, StatCard } from '../components/StatCard';
import { formatBytes, formatDateTime, formatDuration, formatNumber } from '../lib/format';
import { useFilters } from '../use-filters';

type Run = PipelineReply['etl']['runs'][number];
type DlqItem = PipelineReply['dlq']['recent'][number];

const REFRESH_MS = 10_000;

const partitionColumns: Column<PartitionLagRow>[] = [
  { key: 'partition', label: 'Partition', numeric: true, render: (r) => r.partition },
  { key: 'committed', label: 'Committed offset', numeric: true, render: (r) => r.committed ?? '—' },
  { key: 'end', label: 'End offset', numeric: true, render: (r) => r.end },
  { key: 'lag', label: 'Lag', numeric: true, render: (r) => <span className={r.lag > 0 ? 'lag-behind' : undefined}>{formatNumber(r.lag)}</span> },
];

function SectionError({ message }: { message?: string | null }) {
  return message ? (
    <p className="state-inline" role="alert">
      {message}
    </p>
  ) : null;
}

export default function PipelinePage() {
  const { filters } = useFilters();
  const tz = filters.tz;
  const pipeline = useApi<PipelineReply>('/api/pipeline', { refetchInterval: REFRESH_MS, staleTime: 5_000 });

  const runColumns: Column<Run>[] = [
    { key: 'id', label: 'Run', numeric: true, render: (r) => r.id },
    { key: 'started_at', label: 'Started', render: (r) => formatDateTime(r.started_at, tz) },
    {
      key: 'took',
      label: 'Took',
      numeric: true,
      render: (r) => (r.finished_at ? formatDuration((Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000) : '—'),
    },
    { key: 'status', label: 'Status', render: (r) => <span className={`badge status-${/^[a-z_]+$/.test(r.status) ? r.status : 'other'}`}>{r.status}</span> },
    { key: 'objects', label: 'Objects', numeric: true, render: (r) => formatNumber(r.objects) },
    { key: 'rows', label: 'Rows', numeric: true, render: (r) => formatNumber(r.rows) },
    { key: 'rejects', label: 'Rejects', numeric: true, render: (r) => formatNumber(r.rejects) },
    { key: 'error', label: 'Error', render: (r) => <span className="cell-text">{r.error ?? ''}</span> },
  ];

  return (
    <Page name="pipeline" title="Pipeline health" intro={pipeline.data?.generated_at ? `As of ${formatDateTime(pipeline.data.generated_at, tz)} (${tz}); refreshed every 10 seconds.` : 'Refreshed every 10 seconds.'}>
      <Panel title="Consumer lag" wide>
        <QueryView query={pipeline} isEmpty={(p) => p.consumers.length === 0} emptyMessage="No consumer groups found">
          {(p) => (
            <div className="stack">
              {p.consumers.map((c) => (
                <section key={`${c.group}\u0000${c.topic}`} className="subsection" aria-label={`Consumer group ${c.group}`}>
                  <h3>
                    <span className="cell-text">{c.group}</span> <span className="muted">on {c.topic}</span> —{' '}
                    <span className={c.lag > 0 ? 'lag-behind' : 'lag-ok'} data-testid="consumer-lag">
                      lag {formatNumber(c.lag)}
                    </span>
                  </h3>
                  <SectionError message={c.error} />
                  {c.partitions.length > 0 ? (
                    <DataTable columns={partitionColumns} rows={c.partitions} rowKey={(r) => String(r.partition)} testId="table-consumer-lag" caption={`Lag of ${c.group} per partition`} />
                  ) : null}
                </section>
              ))}
            </div>
          )}
        </QueryView>
      </Panel>

      <Panel title="ETL" wide>
        <QueryView query={pipeline}>
          {(p) => (
            <>
              <SectionError message={p.etl.error} />
              <CardGrid label="ETL backlog">
                <StatCard id="pending_objects" label="Pending objects" value={formatNumber(p.etl.pending_objects)} />
                <StatCard id="pending_bytes" label="Pending bytes" value={formatBytes(p.etl.pending_bytes)} />
                <StatCard id="loaded_objects" label="Loaded objects" value={formatNumber(p.etl.loaded_objects)} />
                <StatCard id="loaded_bytes" label="Loaded bytes" value={formatBytes(p.etl.loaded_bytes)} />
                <StatCard id="rejected_lines" label="Rejected lines" value={formatNumber(p.etl.rejected_lines)} />
              </CardGrid>
              <h3>Last runs</h3>
              {p.etl.runs.length === 0 ? (
                <p className="state state-empty">No ETL runs yet</p>
              ) : (
                <DataTable columns={runColumns} rows={p.etl.runs} rowKey={(r) => String(r.id)} testId="table-etl-runs" caption="Last ETL runs" />
              )}
            </>
          )}
        </QueryView>
      </Panel>

      <Panel title="Dead-letter queue">
        <QueryView query={pipeline}>
          {(p) => (
            <>
              <SectionError message={p.dlq.error} />
              <CardGrid label="Dead-letter queue">
                <StatCard id="dlq_messages" label={`Messages in ${p.dlq.topic}`} value={formatNumber(p.dlq.messages)} />
              </CardGrid>
              {p.dlq.recent.length === 0 ? (
                <p className="state state-empty">No dead-lettered messages</p>
              ) : (
                <ol className="dlq-list" data-testid="dlq-recent">
                  {p.dlq.recent.map((item) => (
                    <DlqEntry key={`${item.partition}:${item.offset}`} item={item} tz={tz} />
                  ))}
                </ol>
              )}
            </>
          )}
        </QueryView>
      </Panel>

      <Panel title="Archive">
        <QueryView query={pipeline}>
          {(p) => (
            <>
              <SectionError message={p.archive.error} />
              <CardGrid label="Raw archive">
                <StatCard id="archive_objects" label="Objects" value={formatNumber(p.archive.objects)} />
                <StatCard id="archive_bytes" label="Size" value={formatBytes(p.archive.bytes)} />
              </CardGrid>
            </>
          )}
        </QueryView>
      </Panel>

      <Panel title="Data volume per day" wide>
        <QueryView query={pipeline} isEmpty={(p) => p.volume.length === 0 && !p.volume_error}>
          {(p) => (
            <>
              <SectionError message={p.volume_error} />
              <VolumeChart title="Events and archived bytes per day" volume={p.volume} />
              <details className="details">
                <summary>Volume per day as a table</summary>
                <DataTable
                  columns={[
                    { key: 'day', label: 'Day', render: (v) => v.day },
                    { key: 'events', label: 'Events', numeric: true, render: (v) => formatNumber(v.events) },
                    { key: 'bytes', label: 'Bytes', numeric: true, render: (v) => formatBytes(v.bytes) },
                  ]}
                  rows={p.volume}
                  rowKey={(v) => v.day}
                  testId="table-volume"
                  caption="Data volume per day"
                />
              </details>
            </>
          )}
        </QueryView>
      </Panel>
    </Page>
  );
}

function DlqEntry({ item, tz }: { item: DlqItem; tz: string }) {
  const headers = Object.entries(item.headers);
  return (
    <li className="dlq-item">
      <div className="dlq-meta">
        <span>
          partition {item.partition}, offset {item.offset}
        </span>
        <time dateTime={item.timestamp}>{formatDateTime(item.timestamp, tz)}</time>
      </div>
      {headers.length > 0 ? (
        <dl className="dlq-headers">
          {headers.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd className="cell-text">{v}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      <pre className="dlq-value">{item.value}</pre>
    </li>
  );
}
