// The pipeline health view behind /api/pipeline: consumer lag of both pipelines, the last ETL runs
// and what is still to load, the dead-letter topic, the raw archive's size and daily volume. Each
// part is read on its own, so one unreachable component shows as an `error` on its part only; the
// whole reply is cached briefly and concurrent callers share one computation.

import type { RawArchive } from '@clickstream/archive';
import { parseRawObjectKey } from '@clickstream/archive';
import { CONSUMER_GROUPS, consumerLag, dlqTopicFor, totalLag } from '@clickstream/kafka';
import type { Logger } from '@clickstream/runtime';
import { dailyLiveEventCounts, etlStatus, loadedObjectKeys, readConsumerOffsets, type EtlStatus } from '@clickstream/warehouse';
import type { Admin, Kafka } from 'kafkajs';
import type { Sql } from 'postgres';
import type { PartitionLagRow, PipelineReply } from '../../shared/api-types';
import { messagesIn, readDlqTail, type DlqItem, type PartitionRange } from './dlq-tail';

export interface PipelineStatusOptions {
  kafka: Kafka;
  /** postgres.js, search_path set to the warehouse schema. */
  sql: Sql;
  archive: RawArchive;
  /** The events topic. */
  topic: string;
  logger: Logger;
  /** How long a reply is reused; default 5000 ms. */
  cacheMs?: number;
  /** Dead-letter messages shown; default 10. */
  dlqRecent?: number;
  /** The pipelines' groups; default CONSUMER_GROUPS.archiver and .live. */
  groups?: { archiver?: string; live?: string };
  /** Clock (ms since the epoch) for the cache and the volume days; default Date.now. */
  now?: () => number;
  /** Longest time one part may take before it is reported as failed; default 15 s. */
  partTimeoutMs?: number;
}

export interface PipelineStatus {
  status(): Promise<PipelineReply>;
  /** Waits for a computation in progress, then disconnects from Kafka. */
  close(): Promise<void>;
}

const ETL_RUNS = 20;
const VOLUME_DAYS = 30;
const DAY_MS = 86_400_000;
const PENDING_PAGE = 1000;

type Part<T> = { ok: true; value: T } | { ok: false; error: string };

/** Lag per partition from a group's next offsets (null: never committed) and the partitions' ranges. */
export function lagFromCommits(ranges: readonly PartitionRange[], commits: ReadonlyMap<number, string>): PartitionLagRow[] {
  return ranges
    .map((r) => {
      const committed = commits.get(r.partition) ?? null;
      const low = BigInt(r.low);
      const from = committed === null ? low : BigInt(committed);
      // A commit below the log start (retention removed the rest) lags from the log start; one past
      // the end (the topic was recreated) is not a negative lag.
      const lag = BigInt(r.high) - (from > low ? from : low);
      return { partition: r.partition, committed, end: r.high, lag: lag > 0n ? Number(lag) : 0 };
    })
    .sort((a, b) => a.partition - b.partition);
}

/** The UTC days (YYYY-MM-DD) of the last `count` days up to and including the one of `nowMs`, oldest first. */
export function lastUtcDays(nowMs: number, count: number): string[] {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  return Array.from({ length: count }, (_, i) => new Date(today - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

/** What one pass over the archive's raw/ listing yields. */
interface ArchiveSummary {
  objects: number;
  bytes: number;
  /** Stored bytes of raw objects per dt= day. */
  bytesByDay: Map<string, number>;
  /** Raw objects the load manifest does not have, or why that could not be told. */
  pending: { objects: number; bytes: number } | { error: string };
}

function describe(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' && message ? message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export function createPipelineStatus(options: PipelineStatusOptions): PipelineStatus {
  const { kafka, sql, archive, topic } = options;
  const log = options.logger.child({ component: 'pipeline-status' });
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 5000;
  const dlqRecent = options.dlqRecent ?? 10;
  const partTimeoutMs = options.partTimeoutMs ?? 15_000;
  const archiverGroup = options.groups?.archiver ?? CONSUMER_GROUPS.archiver;
  const liveGroup = options.groups?.live ?? CONSUMER_GROUPS.live;
  const dlqTopic = dlqTopicFor(topic);

  const admin: Admin = kafka.admin();
  let adminReady: Promise<void> | undefined;
  let cached: { at: number; reply: PipelineReply } | undefined;
  let inflight: Promise<PipelineReply> | undefined;
  // The dead-letter tail is re-read only when the topic's offsets moved.
  let dlqMemo: { signature: string; recent: DlqItem[] } | undefined;
  let closed = false;

  /** Runs `work` on a connected admin; a failure drops the connection so the next call reconnects. */
  const withAdmin = async <T>(work: (a: Admin) => Promise<T>): Promise<T> => {
    try {
      await (adminReady ??= admin.connect());
      return await work(admin);
    } catch (err) {
      adminReady = undefined;
      throw err;
    }
  };

  const part = async <T>(what: string, work: () => Promise<T>): Promise<Part<T>> => {
    try {
      return { ok: true, value: await withDeadline(work(), partTimeoutMs, what) };
    } catch (err) {
      log.warn({ err }, `pipeline status: ${what} failed`);
      return { ok: false, error: `${what} failed: ${describe(err)}` };
    }
  };

  const summarizeArchive = async (): Promise<ArchiveSummary> => {
    const summary: ArchiveSummary = { objects: 0, bytes: 0, bytesByDay: new Map(), pending: { objects: 0, bytes: 0 } };
    let page: Array<{ key: string; size: number }> = [];
    const checkPage = async () => {
      const pending = summary.pending;
      if (page.length === 0 || 'error' in pending) return;
      try {
        const loaded = await loadedObjectKeys(
          sql,
          page.map((o) => o.key),
        );
        for (const o of page) {
          if (loaded.has(o.key)) continue;
          pending.objects++;
          pending.bytes += o.size;
        }
      } catch (err) {
        log.warn({ err }, 'pipeline status: reading the load manifest failed');
        summary.pending = { error: `reading the load manifest failed: ${describe(err)}` };
      }
      page = [];
    };
    for await (const object of archive.list({ prefix: 'raw/' })) {
      summary.objects++;
      summary.bytes += object.size;
      const parsed = parseRawObjectKey(object.key);
      if (!parsed) continue; // under raw/ but not an archive object: counted in size, never loaded
      summary.bytesByDay.set(parsed.date, (summary.bytesByDay.get(parsed.date) ?? 0) + object.size);
      page.push({ key: object.key, size: object.size });
      if (page.length >= PENDING_PAGE) await checkPage();
    }
    await checkPage();
    return summary;
  };

  const readDlq = async (): Promise<{ messages: number; recent: DlqItem[] }> => {
    const ranges = await withAdmin(async (a) => {
      // Asked by name, a missing topic could be auto-created; the listing only reports it.
      if (!(await a.listTopics()).includes(dlqTopic)) return [];
      return a.fetchTopicOffsets(dlqTopic);
    });
    const messages = messagesIn(ranges);
    if (messages === 0 || dlqRecent <= 0) return { messages, recent: [] };
    const signature = JSON.stringify([...ranges].sort((a, b) => a.partition - b.partition).map((r) => [r.partition, r.low, r.high]));
    if (dlqMemo?.signature !== signature) {
      const recent = await readDlqTail({ kafka, topic: dlqTopic, ranges, limit: dlqRecent, logger: log });
      dlqMemo = { signature, recent };
    }
    return { messages, recent: dlqMemo.recent };
  };

  const compute = async (): Promise<PipelineReply> => {
    const startedAt = now();
    const days = lastUtcDays(startedAt, VOLUME_DAYS);
    const from = new Date(`${days[0]}T00:00:00Z`);
    const to = new Date(Date.parse(`${days[days.length - 1]}T00:00:00Z`) + DAY_MS);
    const ends = withAdmin((a) => a.fetchTopicOffsets(topic));
    ends.catch(() => undefined); // awaited by the live part; not an unhandled rejection meanwhile

    const [archiver, live, etl, listing, volume, dlq] = await Promise.all([
      part(`reading the lag of ${archiverGroup}`, () => withAdmin((a) => consumerLag(a, archiverGroup, topic))),
      part(`reading the lag of ${liveGroup}`, async () => {
        const [commits, ranges] = await Promise.all([readConsumerOffsets(sql, liveGroup, topic), ends]);
        return lagFromCommits(ranges, commits);
      }),
      part('reading the ETL runs', () => etlStatus(sql, { runs: ETL_RUNS })),
      part('listing the raw archive', summarizeArchive),
      part('reading the daily event counts', () => dailyLiveEventCounts(sql, { from, to })),
      part(`reading ${dlqTopic}`, readDlq),
    ]);

    const consumer = (group: string, lags: Part<PartitionLagRow[]>): PipelineReply['consumers'][number] =>
      lags.ok ? { group, topic, lag: totalLag(lags.value), partitions: lags.value } : { group, topic, lag: 0, partitions: [], error: lags.error };

    const etlValue: EtlStatus = etl.ok ? etl.value : { runs: [], loaded_objects: 0, loaded_bytes: 0, rejected_lines: 0 };
    const pending = listing.ok ? listing.value.pending : { error: `pending objects unknown: ${listing.error}` };
    const etlErrors = [...(etl.ok ? [] : [etl.error]), ...('error' in pending ? [pending.error] : [])];

    const eventsByDay = new Map(volume.ok ? volume.value.map((d) => [d.day, d.events]) : []);
    const bytesByDay = listing.ok ? listing.value.bytesByDay : new Map<string, number>();
    const volumeErrors = [...(volume.ok ? [] : [volume.error]), ...(listing.ok ? [] : [listing.error])];

    return {
      generated_at: new Date(startedAt).toISOString(),
      consumers: [consumer(archiverGroup, archiver), consumer(liveGroup, live)],
      etl: {
        runs: etlValue.runs.map((r) => ({
          id: r.id,
          started_at: r.started_at.toISOString(),
          finished_at: r.finished_at?.toISOString() ?? null,
          status: r.status,
          objects: r.objects,
          rows: r.rows,
          rejects: r.rejects,
          error: r.error,
        })),
        loaded_objects: etlValue.loaded_objects,
        loaded_bytes: etlValue.loaded_bytes,
        pending_objects: 'error' in pending ? 0 : pending.objects,
        pending_bytes: 'error' in pending ? 0 : pending.bytes,
        rejected_lines: etlValue.rejected_lines,
        ...(etlErrors.length > 0 ? { error: etlErrors.join('; ') } : {}),
      },
      dlq: dlq.ok ? { topic: dlqTopic, ...dlq.value } : { topic: dlqTopic, messages: 0, recent: [], error: dlq.error },
      archive: listing.ok ? { objects: listing.value.objects, bytes: listing.value.bytes } : { objects: 0, bytes: 0, error: listing.error },
      volume: days.map((day) => ({ day, events: eventsByDay.get(day) ?? 0, bytes: bytesByDay.get(day) ?? 0 })),
      ...(volumeErrors.length > 0 ? { volume_error: volumeErrors.join('; ') } : {}),
    };
  };

  return {
    status() {
      if (closed) return Promise.reject(new Error('the pipeline status was closed'));
      if (cached && now() - cached.at < cacheMs) return Promise.resolve(cached.reply);
      inflight ??= compute()
        .then((reply) => {
          cached = { at: now(), reply };
          return reply;
        })
        .finally(() => {
          inflight = undefined;
        });
      return inflight;
    },

    async close() {
      if (closed) return;
      closed = true;
      await inflight?.catch(() => undefined);
      if (adminReady) await admin.disconnect().catch((err: unknown) => log.warn({ err }, 'pipeline status: Kafka admin did not disconnect cleanly'));
      adminReady = undefined;
    },
  };
}
