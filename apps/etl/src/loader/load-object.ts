// Loads one raw archive object into the warehouse in one transaction: its lock, the manifest check,
// the streamed lines (events into `events` through COPY, bad lines into `etl_rejects`), and its
// manifest row. A crash or error at any point leaves nothing of the object behind.

import type { ArchiveObject, RawArchive } from '@clickstream/archive';
import type { CanonicalEvent } from '@clickstream/event-schema';
import type { Logger } from '@clickstream/runtime';
import { copyEvents, EventWithJson, transaction, type CopyEventsResult, type SiteDay } from '@clickstream/warehouse';
import type { Sql, TransactionSql } from 'postgres';
import { decodeArchiveLine, storableText } from '../decode-line';
import { SiteDaySet } from './site-day-set';

export interface LoadObjectDeps {
  sql: Sql;
  archive: RawArchive;
  logger?: Logger;
}

export interface LoadObjectOptions {
  /**
   * Load it even when the manifest already has it (backfill), replacing its rejects and manifest row;
   * waits for another process that holds the object instead of skipping it.
   */
  reload?: boolean;
  /** The etl_runs row whose counts grow with this object, in the object's own transaction. */
  runId?: number;
  /** Rejected lines held in memory before they are written (bounds memory on a mostly-bad object). */
  rejectBatch?: number;
}

export interface LoadedObject {
  status: 'loaded';
  key: string;
  /** Valid canonical events in the object (the manifest's `rows`). */
  events: number;
  /** Rows added to `events`. */
  inserted: number;
  /** Valid events already in `events` (or repeated within the object). */
  duplicates: number;
  /** Lines stored in etl_rejects. */
  rejected: number;
  /** Compressed size of the object. */
  bytes: number;
  /** (site, UTC day) pairs of the rows added. */
  touched: SiteDay[];
}

export interface SkippedObject {
  status: 'skipped';
  key: string;
  /** `locked`: another process is loading it now; `already_loaded`: the manifest has it; `gone`: no longer in the archive. */
  reason: 'locked' | 'already_loaded' | 'gone';
}

export type ObjectLoadResult = LoadedObject | SkippedObject;

const DEFAULT_REJECT_BATCH = 1000;
/** Events per savepoint in careful mode (see loadCarefully). */
const CAREFUL_CHUNK = 256;

/**
 * The per-object advisory lock key: a 64-bit hash of the key, seeded per warehouse schema so that
 * loaders of different schemas in one database never wait on each other.
 */
const OBJECT_LOCK_KEY = `hashtextextended($1::text, hashtextextended('clickstream:etl-object:' || current_schema(), 0))`;

interface RejectRow {
  object_key: string;
  line_number: number;
  reason: string;
  line: string;
}

type StreamedObject = Omit<LoadedObject, 'status' | 'key' | 'bytes'>;

/**
 * Loads `object` (listed from `deps.archive`) in one transaction; see the file comment. When
 * PostgreSQL refuses a value of a valid event (say an amount beyond numeric(14,2)), which would fail
 * the object for ever, the object is loaded again in careful mode: the refused events become rejects.
 */
export async function loadRawObject(deps: LoadObjectDeps, object: ArchiveObject, options: LoadObjectOptions = {}): Promise<ObjectLoadResult> {
  try {
    return await loadInTransaction(deps, object, options, false);
  } catch (err) {
    if (!isDataError(err)) throw err;
    deps.logger?.warn({ key: object.key, err }, 'PostgreSQL refused an event of this object; loading it again in small batches to reject only the refused events');
    return loadInTransaction(deps, object, options, true);
  }
}

async function loadInTransaction(deps: LoadObjectDeps, object: ArchiveObject, options: LoadObjectOptions, careful: boolean): Promise<ObjectLoadResult> {
  const { key } = object;
  return transaction(deps.sql, async (tx): Promise<ObjectLoadResult> => {
    if (options.reload) {
      await tx.unsafe(`select pg_advisory_xact_lock(${OBJECT_LOCK_KEY})`, [key]);
      await tx`delete from etl_rejects where object_key = ${key}`;
    } else {
      const [{ locked }] = await tx.unsafe<[{ locked: boolean }]>(`select pg_try_advisory_xact_lock(${OBJECT_LOCK_KEY}) as locked`, [key]);
      if (!locked) return { status: 'skipped', key, reason: 'locked' };
      // Listed as new, but another process may have committed it since: the lock makes this check final.
      const [present] = await tx`select 1 from etl_objects where key = ${key}`;
      if (present) return { status: 'skipped', key, reason: 'already_loaded' };
    }

    const rejectBatch = options.rejectBatch ?? DEFAULT_REJECT_BATCH;
    const loaded = careful ? await loadCarefully(tx, deps.archive, key, rejectBatch) : await streamObject(tx, deps.archive, key, rejectBatch);
    const row = { key, etag: object.etag, rows: loaded.events, rejected: loaded.rejected, bytes: object.size };
    await tx`
      insert into etl_objects ${tx(row, 'key', 'etag', 'rows', 'rejected', 'bytes')}
      on conflict (key) do update set etag = excluded.etag, rows = excluded.rows, rejected = excluded.rejected,
        bytes = excluded.bytes, loaded_at = now()`;
    if (options.runId !== undefined) {
      await tx`update etl_runs set objects = objects + 1, rows = rows + ${loaded.inserted}, rejects = rejects + ${loaded.rejected}
               where id = ${options.runId}`;
    }
    return { status: 'loaded', key, bytes: object.size, ...loaded };
  });
}

/** What an object's load adds up, and its rejected lines waiting to be written. */
class ObjectTally {
  events = 0;
  inserted = 0;
  duplicates = 0;
  rejected = 0;
  readonly touched = new SiteDaySet();
  readonly pendingRejects: RejectRow[] = [];

  constructor(readonly key: string) {}

  reject(lineNumber: number, reason: string, line: string): void {
    this.pendingRejects.push({ object_key: this.key, line_number: lineNumber, reason: storableText(reason), line: storableText(line) });
  }

  add(result: Pick<CopyEventsResult, 'inserted' | 'duplicates' | 'touched'>): void {
    this.inserted += result.inserted;
    this.duplicates += result.duplicates;
    this.touched.addAll(result.touched);
  }

  /** Writes the waiting rejects (the connection must be free: not in the middle of a COPY). */
  async flushRejects(tx: TransactionSql): Promise<void> {
    if (this.pendingRejects.length === 0) return;
    await tx`insert into etl_rejects ${tx(this.pendingRejects, 'object_key', 'line_number', 'reason', 'line')}`;
    this.rejected += this.pendingRejects.length;
    this.pendingRejects.length = 0;
  }

  result(): StreamedObject {
    return { events: this.events, inserted: this.inserted, duplicates: this.duplicates, rejected: this.rejected, touched: this.touched.toArray() };
  }
}

/**
 * Streams the object's lines into copyEvents. Rejected lines wait in memory until the COPY ends (the
 * transaction's connection is busy with it); when `rejectBatch` of them are waiting, the COPY is ended
 * early, they are written, and a new COPY goes on from the next line.
 */
async function streamObject(tx: TransactionSql, archive: RawArchive, key: string, rejectBatch: number): Promise<StreamedObject> {
  const lines = archive.readLines(key);
  const tally = new ObjectTally(key);
  let ended = false;

  async function* nextSegment(): AsyncGenerator<EventWithJson> {
    while (tally.pendingRejects.length < rejectBatch) {
      // next(), not for-await: leaving the loop must not close the object's stream.
      const next = await lines.next();
      if (next.done) {
        ended = true;
        return;
      }
      const { line, lineNumber } = next.value;
      const decoded = decodeArchiveLine(line);
      if (decoded.ok) {
        tally.events++;
        // the line is the event's JSON: stored as its payload, not serialised again
        yield new EventWithJson(decoded.event, line);
      } else {
        tally.reject(lineNumber, decoded.reason, line);
      }
    }
  }

  try {
    while (!ended) {
      tally.add(await copyEvents(tx, nextSegment()));
      await tally.flushRejects(tx);
    }
  } finally {
    await lines.return(undefined); // frees the S3 connection when the load stops early
  }
  return tally.result();
}

interface NumberedEvent {
  event: CanonicalEvent;
  lineNumber: number;
  line: string;
}

/**
 * Careful mode: events go in batches of CAREFUL_CHUNK, each under a savepoint; a refused batch is
 * split in halves until the refused events are alone, and those become rejects with PostgreSQL's reason.
 */
async function loadCarefully(tx: TransactionSql, archive: RawArchive, key: string, rejectBatch: number): Promise<StreamedObject> {
  const tally = new ObjectTally(key);

  const load = async (batch: NumberedEvent[]): Promise<void> => {
    try {
      tally.add(await tx.savepoint((sp) => copyEvents(sp, batch.map((b) => b.event))));
    } catch (err) {
      if (!isDataError(err)) throw err;
      if (batch.length === 1) {
        tally.reject(batch[0].lineNumber, `refused by PostgreSQL: ${(err as Error).message}`, batch[0].line);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await load(batch.slice(0, half));
      await load(batch.slice(half));
    }
  };

  let batch: NumberedEvent[] = [];
  for await (const { line, lineNumber } of archive.readLines(key)) {
    const decoded = decodeArchiveLine(line);
    if (decoded.ok) {
      tally.events++;
      batch.push({ event: decoded.event, lineNumber, line });
    } else {
      tally.reject(lineNumber, decoded.reason, line);
    }
    if (batch.length >= CAREFUL_CHUNK) {
      await load(batch);
      batch = [];
    }
    if (tally.pendingRejects.length >= rejectBatch) await tally.flushRejects(tx);
  }
  if (batch.length > 0) await load(batch);
  await tally.flushRejects(tx);
  return tally.result();
}

/** A PostgreSQL refusal of the data itself (SQLSTATE class 22 data exception, 23 constraint, 54 limit): retrying cannot help. */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}
