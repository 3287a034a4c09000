// ETL load and model rebuild: a day of generated sessions (1M events in the full run) written to the
// raw archive on s3rver as the archiver would, loaded by `etl run --once` in its own process, beside
// a plain COPY of the same rows into an `events` table in the same run. The run's own summary says
// how long the load took and how long the model rebuild for that day took.

import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRawArchive, rawObjectKey } from '@clickstream/archive';
import { startTestS3 } from '@clickstream/archive/testing';
import type { CanonicalEvent } from '@clickstream/event-schema';
import { EVENT_COLUMNS, eventCopyFields } from '@clickstream/warehouse';
import { createTestWarehouse, generateSessions, startTestPostgres, type TestWarehouse } from '@clickstream/warehouse/testing';
import { formatRate } from '../measure';
import type { BenchResult } from '../result';

const ETL_MAIN = resolve(__dirname, '../../../../apps/etl/dist/main.js');
const LINES_PER_OBJECT = 10_000;
const LOAD_TARGET = 100_000;
const REBUILD_TARGET_SECONDS = 10;

/**
 * Event ids as ingest gives them: UUIDv7 of the time each event was received (48-bit milliseconds,
 * then version 7, then a counter and the variant), so ids grow with receive time as in production.
 */
function assignIngestIds(events: CanonicalEvent[]): void {
  events.forEach((event, i) => {
    const ms = Date.parse(event.received_at).toString(16).padStart(12, '0');
    const n = i.toString(16).padStart(18, '0');
    event.event_id = `${ms.slice(0, 8)}-${ms.slice(8)}-7${n.slice(0, 3)}-8${n.slice(3, 6)}-${n.slice(6)}`;
  });
}

/**
 * The archive as the archiver leaves it: each partition's events (by key, as Kafka places them) in
 * the order they were received, in objects of 10,000 lines keyed by (partition, offsets).
 */
async function writeArchive(archive: ReturnType<typeof createRawArchive>, events: readonly CanonicalEvent[]): Promise<number> {
  await archive.ensureBucket();
  const partitions: CanonicalEvent[][] = Array.from({ length: 6 }, () => []);
  for (const event of events) partitions[keyPartition(`${event.site_id}:${event.session_id}`, 6)].push(event);
  let objects = 0;
  for (const [partition, inPartition] of partitions.entries()) {
    for (let first = 0; first < inPartition.length; first += LINES_PER_OBJECT) {
      const chunk = inPartition.slice(first, first + LINES_PER_OBJECT);
      const key = rawObjectKey({
        topic: 'clickstream.events',
        partition,
        firstOffset: String(first),
        lastOffset: String(first + chunk.length - 1),
        receivedAt: new Date(chunk[0].received_at),
      });
      await archive.putObject(key, chunk.map((e) => JSON.stringify(e)));
      objects++;
    }
  }
  return objects;
}

/** A stable partition for a key (FNV-1a): the same session always lands in the same partition. */
function keyPartition(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % partitions;
}

/** The baseline: COPY of the same rows straight into `events` (no staging, no dedup, no manifest). */
async function plainCopy(warehouse: TestWarehouse, events: readonly CanonicalEvent[]): Promise<number> {
  const started = process.hrtime.bigint();
  const copy = await warehouse.sql.unsafe(`copy events (${EVENT_COLUMNS.join(', ')}) from stdin`).writable();
  async function* lines(): AsyncGenerator<string> {
    let batch = '';
    for (const event of events) {
      batch += `${eventCopyFields(event)}\n`;
      if (batch.length > 1 << 20) {
        yield batch;
        batch = '';
      }
    }
    if (batch) yield batch;
  }
  await pipeline(Readable.from(lines()), copy);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return events.length / seconds;
}

interface RunSummary {
  status: string;
  events: number;
  rows: number;
  rejects: number;
  objects: number;
  durationMs: number;
  models: { milliseconds: number; sessions: number; pageViews: number } | null;
  error?: string;
}

function runEtlOnce(env: Record<string, string>): Promise<RunSummary> {
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, [ETL_MAIN, 'run', '--once'], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolvePromise(JSON.parse(line) as RunSummary);
      } catch {
        reject(new Error(`etl run --once printed no summary (${err?.message ?? 'exit 0'}): ${stderr.slice(-2000)}`));
      }
    });
  });
}

export async function runEtlBench(options: { quick: boolean }): Promise<BenchResult[]> {
  const users = options.quick ? 1_700 : 33_000; // about 30 events per user: 50k or 1M events
  const events = generateSessions({ seed: 11, days: 1, start: '2026-11-20', sites: ['bench'], usersPerSite: users }).sort(
    (a, b) => a.received_at.localeCompare(b.received_at),
  );
  assignIngestIds(events);
  const s3 = await startTestS3();
  const pg = await startTestPostgres();
  const baselineWarehouse = await createTestWarehouse(pg.url);
  const warehouse = await createTestWarehouse(pg.url);
  try {
    const objects = await writeArchive(createRawArchive(s3.config), events);
    const copyRate = await plainCopy(baselineWarehouse, events);
    await baselineWarehouse.drop();

    const summary = await runEtlOnce({
      ...s3.config,
      DATABASE_URL: pg.url,
      DATABASE_SCHEMA: warehouse.schema,
      LOG_LEVEL: 'warn',
    });
    if (summary.status !== 'succeeded' || !summary.models) throw new Error(`the ETL run failed: ${summary.error ?? JSON.stringify(summary)}`);
    const loadSeconds = (summary.durationMs - summary.models.milliseconds) / 1000;
    const loadRate = summary.events / loadSeconds;
    const rebuildSeconds = summary.models.milliseconds / 1000;
    const [{ n }] = await warehouse.sql<{ n: number }[]>`select count(*)::int as n from events`;
    const exact = n === events.length && summary.rejects === 0;
    return [
      {
        name: `etl load: ${formatRate(events.length)} events in ${objects} raw objects (s3rver) → events (gunzip, parse, validate, COPY, dedup, manifest)`,
        figure: `${formatRate(loadRate)} events/s`,
        value: loadRate,
        unit: 'events/s',
        baseline: { name: 'plain COPY of the same rows into events', value: copyRate },
        target: { text: `≥ ${formatRate(LOAD_TARGET)} events/s and ≥ 50% of plain COPY`, met: loadRate >= LOAD_TARGET && loadRate >= copyRate / 2 },
        note: exact
          ? `every event loaded once (${n} rows); run ${summary.durationMs} ms in all, of which the load ${Math.round(loadSeconds * 1000)} ms; PostgreSQL: ${pg.name}`
          : `events table holds ${n} of ${events.length} events, ${summary.rejects} rejects — NOT exact`,
      },
      {
        name: `etl model rebuild for the day loaded (${formatRate(events.length)} events: ${summary.models.sessions} sessions, ${summary.models.pageViews} page views)`,
        figure: `${rebuildSeconds.toFixed(1)} s`,
        value: rebuildSeconds,
        unit: 's',
        target: { text: `< ${REBUILD_TARGET_SECONDS} s`, met: rebuildSeconds < REBUILD_TARGET_SECONDS },
      },
    ];
  } finally {
    await warehouse.drop();
    await Promise.all([s3.destroy(), pg.stop()]);
  }
}
