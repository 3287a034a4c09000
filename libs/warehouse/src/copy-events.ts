// Bulk loader for the events fact: COPY into a temporary staging table, then one INSERT … SELECT
// that drops duplicates (within the load and against rows already there).
import type { CanonicalEvent } from '@clickstream/event-schema';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

const STAGING = 'events_load_staging';
/** Loads larger than this are deduplicated by the DISTINCT ON sort without checking for repeats first. */
const MAX_TRACKED_KEYS = 200_000;
const COLUMN_LIST = EVENT_COLUMNS.join(', ');
/** COPY data is written in chunks of about this many bytes (a UTF-16 code unit is at most 3 UTF-8 bytes). */
const CHUNK_BYTES = 1024 * 1024;

/**
 * Loads canonical events into `events`. With a transaction (`sql.begin(tx => copyEvents(tx, …))`) the
 * load is part of it; with a pool it runs in a transaction of its own. Events must be valid canonical
 * events (validate first): one unloadable value — a bad timestamp, an amount beyond numeric(14,2) —
 * fails the whole load. Of repeats within one load, the first occurrence is kept.
 */
export async function copyEvents(
  sql: Sql | TransactionSql,
  events: Iterable<LoadableEvent> | AsyncIterable<LoadableEvent>,
): Promise<CopyEventsResult> {
  if (!isTransaction(sql)) return sql.begin((tx) => copyEvents(tx, events));

  // The staging table lives until the transaction ends; a second load in the same transaction reuses it.
  await sql.unsafe(`create temp table if not exists ${STAGING} (like events including defaults, load_ord integer not null) on commit drop`);
  await sql.unsafe(`truncate ${STAGING}`);

  let received = 0;
  // Keys seen in this load: when none repeats (the usual case), the insert needs no DISTINCT ON sort.
  const keys = new Set<string>();
  let repeats = false;
  // Lines are encoded straight into large buffers; pipeline() hands them to the COPY stream as its
  // backpressure allows, so memory stays at a few chunks whatever the size of the load.
  async function* copyData(): AsyncGenerator<Buffer> {
    let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let used = 0;
    const add = (item: LoadableEvent): Buffer | undefined => {
      const event = item instanceof EventWithJson ? item.event : item;
      if (!repeats) {
        const key = `${event.site_id}\u0000${event.event_id}`;
        // past MAX_TRACKED_KEYS the set would cost more memory than the sort saves: sort instead
        if (keys.has(key) || keys.size >= MAX_TRACKED_KEYS) {
          repeats = true;
          keys.clear();
        } else keys.add(key);
      }
      const line = item instanceof EventWithJson ? eventCopyLine(event, received++, item.json) : eventCopyLine(event, received++);
      let full: Buffer | undefined;
      if (used + line.length * 3 > chunk.length) {
        if (used > 0) full = chunk.subarray(0, used);
        chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, line.length * 3));
        used = 0;
      }
      used += chunk.write(line, used);
      return full;
    };
    if (Symbol.asyncIterator in events) {
      for await (const event of events) {
        const full = add(event);
        if (full) yield full;
      }
    } else {
      for (const event of events) {
        const full = add(event);
        if (full) yield full;
      }
    }
    if (used > 0) yield chunk.subarray(0, used);
  }
  const query = sql.unsafe(`copy ${STAGING} (${COLUMN_LIST}, load_ord) from stdin`);
  const rejected = serverErrorOf(query);
  const copy = await query.writable();
  await Promise.race([pipeline(Readable.from(copyData(), { objectMode: false }), copy), rejected]);

  keys.clear();
  // DISTINCT ON keeps the first occurrence of a repeated event (only needed, and sorted for, when the
  // load repeats one); ON CONFLICT skips those already loaded. The days of the rows added come back
  // aggregated, so a million-row load returns a handful of rows.
  const source = repeats
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
  return { received, inserted, duplicates: received - inserted, touched: result.touched ?? [] };
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

/** One COPY text line for the staging table: the event's columns, then its position in the load. */
export function eventCopyLine(event: CanonicalEvent, ordinal: number, json?: string): string {
  return `${eventCopyFields(event, json)}\t${ordinal}\n`;
}
