// Bulk loader for the events fact. A load that fits in memory first goes by COPY straight into
// `events`, under a savepoint: with no repeat (the usual case) that is the whole load, as fast as a
// plain COPY. A repeat — within the load, or of a row already there — makes PostgreSQL refuse that
// COPY; the load then rolls back to the savepoint and takes the general way with the same bytes:
// COPY into a temporary staging table, then one INSERT … SELECT that drops the repeats.
import type { CanonicalEvent } from '@clickstream/event-schema';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Sql, TransactionSql } from 'postgres';
import { copyJsonField, copyJsonTextField, copyTextField } from './copy-text';
import { EVENT_COLUMNS, eventRow } from './event-row';
import { isTransaction } from './transaction';

export interface CopyEventsResult {
  /** Events read from the input. */
  received: number;
  /** Rows added to `events`. */
  inserted: number;
  /** received − inserted: repeats within this load or events already in the table. */
  duplicates: number;
  /** The (site, UTC day of event_time) pairs of the rows added: what the models must rebuild. */
  touched: SiteDay[];
}

/** A site and a UTC calendar day ('YYYY-MM-DD'). */
export interface SiteDay {
  siteId: string;
  day: string;
}

/**
 * A canonical event with the JSON text it was read from (an archive line that parsed and validated
 * as it): stored as `payload` as it is, which spares serialising the event again.
 */
export class EventWithJson {
  constructor(
    readonly event: CanonicalEvent,
    readonly json: string,
  ) {}
}

export type LoadableEvent = CanonicalEvent | EventWithJson;

export interface CopyEventsOptions {
  /**
   * COPY text (bytes) a load may keep in memory to try COPY straight into `events` first; a larger
   * load is sent through the staging table from where it outgrew this. Default 64 MiB (about 70k
   * events): a raw archive object fits. 0 always stages.
   */
  directMaxBytes?: number;
}

const STAGING = 'events_load_staging';
const SAVEPOINT = 'copy_events_direct';
const DEFAULT_DIRECT_MAX_BYTES = 64 * 1024 * 1024;
/** Loads larger than this are deduplicated by the DISTINCT ON sort without checking for repeats first. */
const MAX_TRACKED_KEYS = 200_000;
const COLUMN_LIST = EVENT_COLUMNS.join(', ');
/** COPY data is written in chunks of about this many bytes (a UTF-16 code unit is at most 3 UTF-8 bytes). */
const CHUNK_BYTES = 1024 * 1024;
/** unique_violation: the direct COPY met a row already in `events`, or the load repeats one. */
const UNIQUE_VIOLATION = '23505';

/**
 * Loads canonical events into `events`. With a transaction (`sql.begin(tx => copyEvents(tx, …))`) the
 * load is part of it; with a pool it runs in a transaction of its own. Events must be valid canonical
 * events (validate first): one unloadable value — a bad timestamp, an amount beyond numeric(14,2) —
 * fails the whole load. Of repeats within one load, the first occurrence is kept.
 */
export async function copyEvents(
  sql: Sql | TransactionSql,
  events: Iterable<LoadableEvent> | AsyncIterable<LoadableEvent>,
  options: CopyEventsOptions = {},
): Promise<CopyEventsResult> {
  if (!isTransaction(sql)) return sql.begin((tx) => copyEvents(tx, events, options));
  const input = new CopyInput(events);
  const directMaxBytes = options.directMaxBytes ?? DEFAULT_DIRECT_MAX_BYTES;
  // The chunks sent so far: the staged load sends them again if the direct one gives way.
  const sent: Buffer[] = [];
  try {
    if (directMaxBytes > 0 && (await copyDirect(sql, input, sent, directMaxBytes))) {
      const received = input.received;
      return { received, inserted: received, duplicates: 0, touched: input.touchedDays() };
    }
    return await copyStaged(sql, input, sent);
  } finally {
    await input.close();
  }
}

/** Signals that the direct COPY cannot be the whole load (a repeat seen, or the size limit reached). */
class GiveWay extends Error {}

/**
 * COPY into `events` under a savepoint. True when the whole input went in; false (rolled back to the
 * savepoint, `sent` holding every chunk read from the input so far) when a repeat or the size limit
 * stopped it. Any other error is the load's.
 */
async function copyDirect(sql: TransactionSql, input: CopyInput, sent: Buffer[], maxBytes: number): Promise<boolean> {
  await sql.unsafe(`savepoint ${SAVEPOINT}`);
  let bytes = 0;
  try {
    await copyInto(sql, `copy events (${COLUMN_LIST}) from stdin`, [], input, (chunk) => {
      sent.push(chunk);
      bytes += chunk.length;
      if (input.repeats || bytes > maxBytes) throw new GiveWay();
    });
  } catch (error) {
    if (!(error instanceof GiveWay) && (error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await sql.unsafe(`rollback to savepoint ${SAVEPOINT}`);
    return false;
  }
  await sql.unsafe(`release savepoint ${SAVEPOINT}`);
  return true;
}

/** The general way: `sent` and the rest of the input into the staging table, then into `events` without repeats. */
async function copyStaged(sql: TransactionSql, input: CopyInput, sent: Buffer[]): Promise<CopyEventsResult> {
  // The staging table lives until the transaction ends; a second load in the same transaction reuses
  // it. load_ord numbers the rows in input order (COPY takes the identity values in line order).
  await sql.unsafe(
    `create temp table if not exists ${STAGING} (like events including defaults, load_ord bigint generated always as identity) on commit drop`,
  );
  await sql.unsafe(`truncate ${STAGING}`);
  await copyInto(sql, `copy ${STAGING} (${COLUMN_LIST}) from stdin`, sent, input);
  sent.length = 0;

  // DISTINCT ON keeps the first occurrence of a repeated event (only needed, and sorted for, when the
  // load repeats one); ON CONFLICT skips those already loaded. The days of the rows added come back
  // aggregated, so a million-row load returns a handful of rows.
  const source = input.repeats
    ? `select distinct on (site_id, event_id) ${COLUMN_LIST} from ${STAGING} order by site_id, event_id, load_ord`
    : `select ${COLUMN_LIST} from ${STAGING}`;
  const [result] = await sql.unsafe<[{ inserted: string; touched: SiteDay[] | null }]>(
    `with added as (
       insert into events (${COLUMN_LIST})
       ${source}
       on conflict (site_id, event_id) do nothing
       returning site_id, (event_time at time zone 'UTC')::date as day
     ), days as (
       select site_id, day, count(*) as n from added group by site_id, day
     )
     select coalesce(sum(n), 0)::text as inserted,
            json_agg(json_build_object('siteId', site_id, 'day', to_char(day, 'YYYY-MM-DD')) order by site_id, day) as touched
     from days`,
  );
  await sql.unsafe(`truncate ${STAGING}`);
  const inserted = Number(result.inserted);
  return { received: input.received, inserted, duplicates: input.received - inserted, touched: result.touched ?? [] };
}

/**
 * Runs `statement` (a COPY … FROM STDIN) with `first`, then the rest of `input`, as its data. Chunks
 * are pulled from the input one at a time as the connection drains, so memory stays at a few chunks,
 * and the input stays open if `onChunk` throws: the caller can send the rest elsewhere.
 */
async function copyInto(sql: TransactionSql, statement: string, first: readonly Buffer[], input: CopyInput, onChunk?: (chunk: Buffer) => void): Promise<void> {
  const query = sql.unsafe(statement);
  const rejected = serverErrorOf(query);
  const copy = await Promise.race([query.writable(), rejected]);
  // its errors are ours (destroy) or the server's (rejected): both are handled below, not as events
  copy.on('error', () => undefined);
  const write = async (chunk: Buffer) => {
    if (!copy.write(chunk)) await Promise.race([once(copy, 'drain'), rejected]);
  };
  try {
    for (const chunk of first) await write(chunk);
    for (let chunk = await input.nextChunk(); chunk; chunk = await input.nextChunk()) {
      onChunk?.(chunk);
      await write(chunk);
    }
    copy.end();
    await Promise.race([finished(copy), rejected]);
  } catch (error) {
    // CopyFail: the server ends the COPY with an error, and the transaction can go on (to a rollback)
    if (!copy.destroyed) copy.destroy(error instanceof Error ? error : new Error(String(error)));
    await rejected.catch(() => undefined);
    throw error;
  }
}

/** Settles when the COPY writable has finished (the server took every row) or failed. */
function finished(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
  });
}

/**
 * The input as COPY text chunks, read once, with what the load needs to know about it: how many
 * events, whether one repeats, and the (site, UTC day) pairs of their event times.
 */
class CopyInput {
  received = 0;
  /** An event id repeats within the load (or too many keys to track: assume it might). */
  repeats = false;
  private readonly keys = new Set<string>();
  private readonly days = new Set<string>();
  private readonly sync: Iterator<LoadableEvent> | undefined;
  private readonly async: AsyncIterator<LoadableEvent> | undefined;
  private done = false;
  /** A line read that did not fit in the last chunk: it starts the next one. */
  private pending: string | undefined;

  constructor(events: Iterable<LoadableEvent> | AsyncIterable<LoadableEvent>) {
    if (Symbol.asyncIterator in events) this.async = events[Symbol.asyncIterator]();
    else this.sync = events[Symbol.iterator]();
  }

  /** The next chunk of COPY lines (about CHUNK_BYTES), or undefined at the end of the input. */
  async nextChunk(): Promise<Buffer | undefined> {
    let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let used = 0;
    /** Adds the line unless the chunk has lines already and no room for it; a longer line gets a chunk of its own. */
    const put = (line: string): boolean => {
      if (used + line.length * 3 > chunk.length) {
        if (used > 0) return false;
        chunk = Buffer.allocUnsafe(line.length * 3);
      }
      used += chunk.write(line, used);
      return true;
    };
    if (this.pending !== undefined) {
      put(this.pending);
      this.pending = undefined;
    }
    while (!this.done) {
      const next = this.sync ? this.sync.next() : await (this.async as AsyncIterator<LoadableEvent>).next();
      if (next.done) {
        this.done = true;
        this.keys.clear();
        break;
      }
      const line = this.line(next.value);
      if (!put(line)) {
        this.pending = line;
        break;
      }
    }
    return used > 0 ? chunk.subarray(0, used) : undefined;
  }

  /** Lets go of the input (closes a stream behind it) when the load ends before reading it all. */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.sync?.return?.();
    await this.async?.return?.();
  }

  private line(item: LoadableEvent): string {
    const event = item instanceof EventWithJson ? item.event : item;
    this.received++;
    if (!this.repeats) {
      const key = `${event.site_id}\u0000${event.event_id}`;
      // past MAX_TRACKED_KEYS the set would cost more memory than the sort saves: sort instead
      if (this.keys.has(key) || this.keys.size >= MAX_TRACKED_KEYS) {
        this.repeats = true;
        this.keys.clear();
      } else this.keys.add(key);
    }
    this.days.add(`${event.site_id}\u0000${utcDay(event.event_time)}`);
    return `${item instanceof EventWithJson ? eventCopyFields(event, item.json) : eventCopyFields(event)}\n`;
  }

  /** The (site, day) pairs of every event read, sorted as the staged load returns them. */
  touchedDays(): SiteDay[] {
    return [...this.days]
      .map((k) => {
        const [siteId, day] = k.split('\u0000') as [string, string];
        return { siteId, day };
      })
      .sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  }
}

/** The UTC calendar day of an ISO-8601 instant ('' for text that is none: PostgreSQL refuses the row). */
function utcDay(time: string): string {
  if (/^\d{4}-\d{2}-\d{2}T.*Z$/.test(time)) return time.slice(0, 10);
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString().slice(0, 10);
}

/**
 * postgres.js 3.4 never settles a COPY FROM STDIN writable that the server rejects (a bad value):
 * the stream does not finish, the error goes nowhere, and a transaction would wait forever
 * (porsager/postgres#1173). The error does reach the query's internal reject(); observe it there.
 */
function serverErrorOf(query: object): Promise<never> {
  const internals = query as { reject?: (error: unknown) => void };
  const original = internals.reject;
  if (typeof original !== 'function') return new Promise<never>(() => undefined);
  const rejected = new Promise<never>((_, reject) => {
    internals.reject = (error: unknown) => {
      reject(error);
      original(error);
    };
  });
  rejected.catch(() => undefined); // when our own stream error wins the race, the server's echo of it is expected
  return rejected;
}

/**
 * The event's `events` columns as one COPY text row (tab-separated, no line end), in EVENT_COLUMNS
 * order. `json`, when given, is the event's own JSON text (it parses to `event`), stored as payload.
 */
export function eventCopyFields(event: CanonicalEvent, json?: string): string {
  const row = eventRow(event);
  return EVENT_COLUMNS.map((column) =>
    column !== 'payload' ? copyTextField(row[column]) : json === undefined ? copyJsonField(row.payload) : copyJsonTextField(json, row.payload),
  ).join('\t');
}
