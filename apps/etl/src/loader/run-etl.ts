// One ETL run: records itself in etl_runs, lists the raw objects to load (those not in the manifest,
// or every object of a backfill's days), loads them one transaction each, then rebuilds the models
// once for every (site, day) the loads touched — plus those an earlier, unfinished run left stale.

import { parseRawObjectKey, isRetriableS3Error, type ArchiveObject, type RawArchive } from '@clickstream/archive';
import type { Logger } from '@clickstream/runtime';
import { guardTransactions, isRetriableDbError, rebuildModels, siteDaysInRange, type RebuildResult } from '@clickstream/warehouse';
import type { Sql } from 'postgres';
import type { EtlMetrics } from '../metrics';
import { loadRawObject, type LoadedObject, type LoadObjectOptions, type ObjectLoadResult } from './load-object';
import { findStaleRuns, markRepaired, siteDaysOfObject } from './model-repair';
import { createRunLedger } from './run-ledger';
import { SiteDaySet } from './site-day-set';

export interface EtlDeps {
  /** The warehouse pool (search_path = the warehouse schema). */
  sql: Sql;
  archive: RawArchive;
  logger: Logger;
  metrics?: EtlMetrics;
}

/** Progress of a run, for a progress bar or log lines. */
export type RunProgress =
  | { phase: 'listed'; total: number }
  | { phase: 'object'; done: number; total: number; result: ObjectLoadResult | FailedObject }
  | { phase: 'models'; siteDays: number };

export interface RunEtlOptions {
  /**
   * Backfill: every raw object of the UTC days from..to (YYYY-MM-DD, inclusive) is loaded whether or
   * not the manifest has it, and the models of every site-day with events in that range are rebuilt.
   * Without it, the run loads the objects the manifest does not have yet.
   */
  backfill?: { from: string; to: string };
  /** Rebuild the models at the end (default true). False leaves them for a later run: for tests and benchmarks. */
  rebuildModels?: boolean;
  /** Once aborted, no new object is started; the run rebuilds the models for what it loaded and ends. */
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** Rejected lines held in memory per object before they are written (default 1000). */
  rejectBatch?: number;
  /**
   * Objects loaded at once (default 4), each in its own transaction on its own pooled connection;
   * the pool needs this many connections plus one (the run's lock).
   */
  concurrency?: number;
}

export interface EtlRunSummary {
  /** The etl_runs id; null when the run could not even be recorded. */
  runId: number | null;
  status: 'succeeded' | 'failed';
  mode: 'pending' | 'backfill';
  /** Objects to load: not in the manifest (pending), or in the backfill's days. */
  listed: number;
  /** Objects this run loaded. */
  objects: number;
  /** Objects left to another process (it held the object's lock or had just loaded it) or gone from the archive. */
  skipped: number;
  /** Objects that failed to load (their keys and errors are in `error`). */
  failedObjects: number;
  /** Valid events read. */
  events: number;
  /** Rows added to `events`. */
  rows: number;
  duplicates: number;
  /** Lines stored in etl_rejects. */
  rejects: number;
  /** Compressed bytes of the objects loaded. */
  bytes: number;
  /** Earlier runs whose stale models this run rebuilt. */
  repairedRuns: number;
  /** (site, day) pairs handed to the model rebuild. */
  siteDays: number;
  models: RebuildResult | null;
  /** Stopped early by `signal`. */
  stopped: boolean;
  durationMs: number;
  error?: string;
}

export const DEFAULT_CONCURRENCY = 4;

/** At most this many object errors are spelled out in a run's error. */
const MAX_OBJECT_ERRORS = 5;

/**
 * Runs the ETL once. Never throws: a failure is reported as `status: 'failed'` with `error`, recorded
 * in etl_runs when PostgreSQL can be reached (logged otherwise). An object is loaded all or nothing.
 * A retriable failure (PostgreSQL or S3 away) ends the run at once; any other failure of one object
 * (say an unreadable gzip) is recorded and the run goes on with the rest, then ends `failed`.
 */
export async function runEtl(deps: EtlDeps, options: RunEtlOptions = {}): Promise<EtlRunSummary> {
  const { archive, metrics } = deps;
  const sql = guardTransactions(deps.sql);
  const logger = deps.logger.child({ component: 'etl-run' });
  const rebuild = options.rebuildModels ?? true;
  const startedAt = process.hrtime.bigint();
  const summary: EtlRunSummary = {
    runId: null,
    status: 'failed',
    mode: options.backfill ? 'backfill' : 'pending',
    listed: 0,
    objects: 0,
    skipped: 0,
    failedObjects: 0,
    events: 0,
    rows: 0,
    duplicates: 0,
    rejects: 0,
    bytes: 0,
    repairedRuns: 0,
    siteDays: 0,
    models: null,
    stopped: false,
    durationMs: 0,
  };
  const objectErrors: string[] = [];
  const ledger = createRunLedger(sql);
  let opened = false;
  let failure: unknown;

  try {
    const run = await ledger.open();
    opened = true;
    summary.runId = run.id;
    logger.info({ runId: run.id, mode: summary.mode, ...(options.backfill ?? {}) }, 'etl run started');

    const objects = options.backfill ? await listRange(archive, options.backfill) : await listPending(sql, archive);
    summary.listed = objects.length;
    if (!options.backfill) metrics?.objectsPending.set(objects.length);
    options.onProgress?.({ phase: 'listed', total: objects.length });

    const touched = new SiteDaySet();
    let staleRuns: number[] = [];
    if (rebuild) {
      const stale = await findStaleRuns(sql, run.id);
      if (stale.runs.length > 0) {
        logger.warn({ runs: stale.runs, objects: stale.objects.length }, 'earlier runs ended before their model rebuild; re-modelling their objects');
        for (const o of stale.objects) touched.addAll((await siteDaysOfObject(archive, o.key, logger)).toArray());
        staleRuns = stale.runs;
      }
    }

    // Objects are loaded `concurrency` at a time, each in its own transaction: one object's INSERT
    // runs in PostgreSQL while the next one is downloaded, parsed and validated here.
    let next = 0;
    let done = 0;
    let stopError: unknown;
    const worker = async (): Promise<void> => {
      while (stopError === undefined && next < objects.length) {
        if (options.signal?.aborted) {
          if (!summary.stopped) logger.info({ loaded: summary.objects, left: objects.length - next }, 'stopping: no further objects');
          summary.stopped = true;
          return;
        }
        const object = objects[next++];
        let result: ObjectLoadResult | FailedObject;
        try {
          result = await loadOne(deps, object, { reload: Boolean(options.backfill), runId: run.id, rejectBatch: options.rejectBatch });
        } catch (err) {
          stopError ??= err; // the others finish the object they are on, then stop
          return;
        }
        done++;
        if (result.status === 'loaded') {
          addLoaded(summary, result, metrics);
          touched.addAll(result.touched);
          logger.debug({ key: result.key, events: result.events, inserted: result.inserted, rejected: result.rejected, done, total: objects.length }, 'object committed');
        } else if (result.status === 'skipped') {
          summary.skipped++;
          logger.debug({ key: result.key, reason: result.reason }, 'object skipped');
        } else {
          summary.failedObjects++;
          objectErrors.push(`${result.key}: ${result.error}`);
        }
        options.onProgress?.({ phase: 'object', done, total: objects.length, result });
      }
    };
    const concurrency = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, objects.length));
    await Promise.all(Array.from({ length: concurrency }, worker));
    if (stopError !== undefined) throw stopError;

    if (rebuild) {
      // A backfill rebuilds every day it covers, also the days whose events it found already loaded.
      if (options.backfill) touched.addAll(await siteDaysInRange(sql, options.backfill.from, options.backfill.to));
      summary.siteDays = touched.size;
      if (touched.size > 0) {
        options.onProgress?.({ phase: 'models', siteDays: touched.size });
        const endTimer = metrics?.rebuildDuration.startTimer();
        summary.models = await rebuildModels(sql, { touched: touched.toArray(), logger });
        endTimer?.();
      }
      await markRepaired(sql, staleRuns, run.id);
      summary.repairedRuns = staleRuns.length;
    }
  } catch (err) {
    failure = err;
  }

  if (failure === undefined && objectErrors.length === 0) {
    summary.status = 'succeeded';
  } else {
    const parts = failure === undefined ? [] : [errorMessage(failure)];
    if (objectErrors.length > 0) {
      const more = objectErrors.length > MAX_OBJECT_ERRORS ? ` (and ${objectErrors.length - MAX_OBJECT_ERRORS} more)` : '';
      parts.push(`${objectErrors.length} object(s) failed: ${objectErrors.slice(0, MAX_OBJECT_ERRORS).join('; ')}${more}`);
    }
    summary.error = parts.join('; ');
  }

  if (opened) {
    try {
      await ledger.close(summary.status, summary.error);
    } catch (err) {
      // PostgreSQL is away: the row stays `running` until a later run sees its lock is free and marks it failed.
      logger.error({ err, runId: summary.runId }, 'could not record how the run ended');
    }
  }

  summary.durationMs = Math.round(Number(process.hrtime.bigint() - startedAt) / 1e6);
  metrics?.runs.inc({ status: summary.status });
  metrics?.runDuration.observe(summary.durationMs / 1000);
  if (summary.status === 'succeeded') metrics?.lastSuccess.set(Date.now() / 1000);
  if (summary.status === 'succeeded') logger.info(summary, 'etl run succeeded');
  else logger.error({ ...summary, err: failure }, 'etl run failed');
  return summary;
}

type FailedObject = { status: 'failed'; key: string; error: string };

/**
 * Loads one object. A retriable error (PostgreSQL or S3 away) is thrown: it ends the run. Any other
 * error is the object's own (say a body that is not gzip): it is reported, and the run goes on.
 */
async function loadOne(deps: EtlDeps, object: ArchiveObject, options: LoadObjectOptions): Promise<ObjectLoadResult | FailedObject> {
  try {
    return await loadRawObject({ sql: deps.sql, archive: deps.archive, logger: deps.logger }, object, options);
  } catch (err) {
    if (isRetriable(err)) throw err;
    if ((err as { name?: string }).name === 'NoSuchKey') {
      deps.logger.warn({ key: object.key }, 'object vanished from the archive after it was listed (retention?); skipped');
      return { status: 'skipped', key: object.key, reason: 'gone' };
    }
    deps.logger.error({ err, key: object.key }, 'object failed to load; going on with the others');
    return { status: 'failed', key: object.key, error: errorMessage(err) };
  }
}

function addLoaded(summary: EtlRunSummary, result: LoadedObject, metrics: EtlMetrics | undefined): void {
  summary.objects++;
  summary.events += result.events;
  summary.rows += result.inserted;
  summary.duplicates += result.duplicates;
  summary.rejects += result.rejected;
  summary.bytes += result.bytes;
  metrics?.objectsLoaded.inc();
  metrics?.rowsLoaded.inc(result.inserted);
  metrics?.duplicates.inc(result.duplicates);
  metrics?.rejects.inc(result.rejected);
  metrics?.bytesLoaded.inc(result.bytes);
}

/** Raw objects whose keys the manifest does not have, in key order. */
export async function listPending(sql: Sql, archive: RawArchive): Promise<ArchiveObject[]> {
  const pending: ArchiveObject[] = [];
  let page: ArchiveObject[] = [];
  const flush = async () => {
    if (page.length === 0) return;
    const known = await sql<{ key: string }[]>`select key from etl_objects where key = any(${page.map((o) => o.key)}::text[])`;
    const loaded = new Set(known.map((r) => r.key));
    for (const o of page) if (!loaded.has(o.key)) pending.push(o);
    page = [];
  };
  for await (const object of archive.list({ prefix: 'raw/' })) {
    if (!parseRawObjectKey(object.key)) continue; // not a raw archive object
    page.push(object);
    if (page.length >= 1000) await flush();
  }
  await flush();
  return pending;
}

async function listRange(archive: RawArchive, range: { from: string; to: string }): Promise<ArchiveObject[]> {
  const objects: ArchiveObject[] = [];
  for await (const object of archive.list(range)) objects.push(object);
  return objects;
}

/** PostgreSQL or S3 unreachable or overloaded: the next run, after a backoff, may succeed. */
export function isRetriable(err: unknown): boolean {
  return isRetriableDbError(err) || isRetriableS3Error(err);
}

function errorMessage(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' && message ? message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}
