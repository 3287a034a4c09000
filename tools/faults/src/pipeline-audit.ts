// After a fault: waits until the pipeline has drained (both consumer groups at the end of the topic,
// every archive object loaded by an ETL run that then finished), then reads the archive, `events`,
// the live rollups and the models and compares them, event_id by event_id, with what ingest
// acknowledged.
import { parseRawObjectKey, type RawArchive } from '@clickstream/archive';
import { CONSUMER_GROUPS, consumerLag, createKafka, totalLag } from '@clickstream/kafka';
import { createLogger } from '@clickstream/runtime';
import type { Sql } from 'postgres';

/** What one archived line tells the audit. */
interface ArchivedEvent {
  eventId: string;
  /** The live rollup cell it counts in (bots are not rolled up: undefined). */
  cell: string | undefined;
}

interface ArchivedObject {
  etag: string;
  partition: number;
  first: bigint;
  last: bigint;
  events: ArchivedEvent[];
}

export interface AuditOptions {
  /** Warehouse connection whose search_path is the warehouse schema. */
  sql: Sql;
  archive: RawArchive;
  brokers: string;
  topic: string;
}

export interface DrainState {
  archiverLag: number;
  liveLag: number;
  /** Archive objects the ETL has not loaded (or loaded with another etag). */
  unloadedObjects: number;
  /** A succeeded ETL run started after the last object was loaded. */
  modelsCurrent: boolean;
  error?: string;
}

export interface Audit {
  archiveObjects: number;
  archiveLines: number;
  /** Objects of one partition whose offset ranges overlap (the archiver promises none). */
  overlappingObjects: number;
  /** event_id → archived lines (one per Kafka message). */
  archived: Map<string, number>;
  /** event_id → rows in `events`. */
  inEvents: Map<string, number>;
  eventsRows: number;
  /** Archived event_ids of human (not bot) events: the ones the live rollups count. */
  humanIds: Set<string>;
  rollups: { total: number; expected: number; mismatchedCells: number; hourTotal: number };
  models: { problems: string[] };
}

const cellKey = (siteId: string, eventTime: string, userId: string, eventType: string): string => {
  const minute = Math.floor(Date.parse(eventTime) / 60_000) * 60_000;
  return `${siteId}\u0000${minute}\u0000${userId}\u0000${eventType}`;
};

export class PipelineAudit {
  private readonly objects = new Map<string, ArchivedObject>();
  private readonly kafka;

  constructor(private readonly options: AuditOptions) {
    this.kafka = createKafka({
      brokers: options.brokers,
      clientId: 'clickstream-faults',
      logger: createLogger({ service: 'faults', level: 'silent', pretty: false }),
      connectionTimeout: 2000,
      requestTimeout: 5000,
    });
  }

  /** One look at how far the pipeline is from having handled everything in Kafka. */
  async drainState(): Promise<DrainState> {
    const { sql, topic } = this.options;
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(topic);
      const archiverLag = totalLag(await consumerLag(admin, CONSUMER_GROUPS.archiver, topic));
      const stored = await sql<{ partition: number; next_offset: string }[]>`
        select partition, next_offset::text as next_offset from consumer_offsets where group_id = ${CONSUMER_GROUPS.live} and topic = ${topic}`;
      const live = new Map(stored.map((r) => [r.partition, BigInt(r.next_offset)]));
      const liveLag = ends.reduce((sum, p) => sum + Number(BigInt(p.high) - (live.get(p.partition) ?? 0n)), 0);
      const loaded = new Map((await sql<{ key: string; etag: string }[]>`select key, etag from etl_objects`).map((r) => [r.key, r.etag]));
      let unloadedObjects = 0;
      for await (const o of this.options.archive.list({ prefix: 'raw/' })) if (loaded.get(o.key) !== o.etag) unloadedObjects++;
      const [row] = await sql<{ current: boolean }[]>`
        select coalesce((select max(started_at) from etl_runs where status = 'succeeded') >
          (select coalesce(max(loaded_at), '-infinity') from etl_objects), false) as current`;
      return { archiverLag, liveLag, unloadedObjects, modelsCurrent: row?.current === true };
    } catch (err) {
      return { archiverLag: -1, liveLag: -1, unloadedObjects: -1, modelsCurrent: false, error: (err as Error).message };
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Polls until drained; returns the last state (check `drained()` on it) when the time is up. */
  async waitDrained(timeoutMs: number): Promise<DrainState> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const state = await this.drainState();
      if (drained(state) || Date.now() > until) return state;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Reads everything and counts (the archive incrementally: objects are immutable per etag). */
  async audit(): Promise<Audit> {
    const { sql, archive } = this.options;
    const listed = new Set<string>();
    for await (const o of archive.list({ prefix: 'raw/' })) {
      listed.add(o.key);
      if (this.objects.get(o.key)?.etag === o.etag) continue;
      const ref = parseRawObjectKey(o.key);
      if (!ref) continue;
      const events: ArchivedEvent[] = [];
      for await (const { line } of archive.readLines(o.key)) {
        const e = JSON.parse(line) as { event_id: string; site_id: string; user_id: string; event_type: string; event_time: string; context?: { is_bot?: boolean } };
        events.push({ eventId: e.event_id, cell: e.context?.is_bot ? undefined : cellKey(e.site_id, e.event_time, e.user_id, e.event_type) });
      }
      this.objects.set(o.key, { etag: o.etag, partition: ref.partition, first: BigInt(ref.firstOffset), last: BigInt(ref.lastOffset), events });
    }
    for (const key of this.objects.keys()) if (!listed.has(key)) this.objects.delete(key);

    const archived = new Map<string, number>();
    const humanIds = new Set<string>();
    const expectedCells = new Map<string, number>();
    let archiveLines = 0;
    const byPartition = new Map<number, ArchivedObject[]>();
    for (const o of this.objects.values()) {
      byPartition.set(o.partition, [...(byPartition.get(o.partition) ?? []), o]);
      for (const e of o.events) {
        archiveLines++;
        archived.set(e.eventId, (archived.get(e.eventId) ?? 0) + 1);
        if (e.cell) {
          expectedCells.set(e.cell, (expectedCells.get(e.cell) ?? 0) + 1);
          humanIds.add(e.eventId);
        }
      }
    }
    let overlappingObjects = 0;
    for (const list of byPartition.values()) {
      list.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
      for (let i = 1; i < list.length; i++) if ((list[i] as ArchivedObject).first <= (list[i - 1] as ArchivedObject).last) overlappingObjects++;
    }

    const inEvents = new Map<string, number>();
    let eventsRows = 0;
    await sql<{ id: string; n: number }[]>`select event_id::text as id, count(*)::int as n from events group by event_id`.cursor(5000, (rows) => {
      for (const r of rows) {
        inEvents.set(r.id, r.n);
        eventsRows += r.n;
      }
    });

    let rollupTotal = 0;
    let mismatchedCells = 0;
    const seen = new Set<string>();
    await sql<{ site_id: string; minute: Date; user_id: string; event_type: string; n: string }[]>`
      select site_id, minute, user_id, event_type, event_count::text as n from user_minute_counts`.cursor(5000, (rows) => {
      for (const r of rows) {
        const key = `${r.site_id}\u0000${r.minute.getTime()}\u0000${r.user_id}\u0000${r.event_type}`;
        const n = Number(r.n);
        rollupTotal += n;
        seen.add(key);
        if ((expectedCells.get(key) ?? 0) !== n) mismatchedCells++;
      }
    });
    let expected = 0;
    for (const [key, n] of expectedCells) {
      expected += n;
      if (!seen.has(key)) mismatchedCells++;
    }
    const [hours] = await sql<{ n: string }[]>`select coalesce(sum(event_count), 0)::text as n from live_hour_counts`;

    return {
      archiveObjects: this.objects.size,
      archiveLines,
      overlappingObjects,
      archived,
      inEvents,
      eventsRows,
      humanIds,
      rollups: { total: rollupTotal, expected, mismatchedCells, hourTotal: Number(hours?.n ?? 0) },
      models: { problems: await this.modelProblems() },
    };
  }

  /** The models against `events`: every count the ETL derives must add up to the facts. */
  private async modelProblems(): Promise<string[]> {
    const { sql } = this.options;
    const problems: string[] = [];
    const [facts] = await sql<{ events: number; sessions: number; page_views: number }[]>`
      select count(*)::int as events,
        count(distinct (site_id, session_id, is_bot))::int as sessions,
        (count(*) filter (where event_type = 'page_view'))::int as page_views
      from events`;
    const [model] = await sql<{ sessions: number; session_events: number }[]>`
      select count(*)::int as sessions, coalesce(sum(events), 0)::int as session_events from sessions`;
    const [views] = await sql<{ n: number }[]>`select count(*)::int as n from page_views`;
    const [hourly] = await sql<{ mismatched: number }[]>`
      with facts as (
        select site_id, date_trunc('hour', event_time, 'UTC') as hour, is_bot, event_type, count(*)::int as n
        from events group by 1, 2, 3, 4)
      select count(*)::int as mismatched
      from facts f full join event_counts_hourly c
        on c.site_id = f.site_id and c.hour = f.hour and c.is_bot = f.is_bot and c.event_type = f.event_type
      where coalesce(f.n, 0) <> coalesce(c.events, 0)`;
    if (!facts || !model || !views || !hourly) return ['a model query returned no row'];
    if (model.sessions !== facts.sessions) problems.push(`sessions: ${model.sessions} rows, ${facts.sessions} distinct sessions in events`);
    if (model.session_events !== facts.events) problems.push(`sessions.events sums to ${model.session_events}, events has ${facts.events} rows`);
    if (views.n !== facts.page_views) problems.push(`page_views: ${views.n} rows, ${facts.page_views} page_view events`);
    if (hourly.mismatched > 0) problems.push(`event_counts_hourly: ${hourly.mismatched} (site, hour, type) cells differ from events`);
    return problems;
  }

  async close(): Promise<void> {
    this.options.archive.close();
  }
}

export function drained(s: DrainState): boolean {
  return !s.error && s.archiverLag === 0 && s.liveLag === 0 && s.unloadedObjects === 0 && s.modelsCurrent;
}

export function describeDrain(s: DrainState): string {
  if (s.error) return `not reachable: ${s.error}`;
  return `archiver lag ${s.archiverLag}, live lag ${s.liveLag}, ${s.unloadedObjects} objects not loaded, models ${s.modelsCurrent ? 'current' : 'not rebuilt since the last load'}`;
}
