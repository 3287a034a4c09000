// Shared pieces of the etl integration tests: generated canonical events, raw archive objects
// written the way the archiver writes them, and readers of what the loader left in PostgreSQL.

import { randomUUID } from 'node:crypto';
import { rawObjectKey, type RawArchive } from '@clickstream/archive';
import { normalize, type CanonicalEvent } from '@clickstream/event-schema';
import type { Logger } from '@clickstream/runtime';
import { capturedLogger } from '@clickstream/runtime/testing';

export { waitFor } from '@clickstream/runtime/testing';
import type { Warehouse } from '@clickstream/warehouse';

export const EVENT_TYPES = ['page_view', 'click', 'scroll', 'page_view', 'page_close', 'purchase'] as const;

/** Deterministic canonical events spread over two sites, users, sessions and types, 1 s apart from `start`. */
export function makeEvents(count: number, options: { seed?: string; start?: number } = {}): CanonicalEvent[] {
  const seed = options.seed ?? randomUUID().slice(0, 8);
  const start = options.start ?? Date.UTC(2026, 0, 10, 10, 0, 0);
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(start + i * 1000).toISOString();
    const type = EVENT_TYPES[i % EVENT_TYPES.length];
    const result = normalize(
      {
        event_id: randomUUID(),
        event_type: type,
        user_id: `user_${i % 13}`,
        session_id: `session_${seed}_${Math.floor(i / 12)}`,
        event_time: at,
        page: { url: `https://shop.example/p/${i % 5}` },
        ...(type === 'click' ? { button_id: 'buy' } : {}),
        ...(type === 'scroll' ? { scroll_depth: (i * 7) % 101 } : {}),
        ...(type === 'purchase' ? { order: { order_id: `order_${seed}_${i}`, amount: 10 + (i % 7), currency: 'EUR', items: [{ product_id: `p${i % 3}`, price: 10 + (i % 7), quantity: 1 }] } } : {}),
      },
      { receivedAt: at, siteId: i % 4 === 0 ? 'site_b' : 'site_a' },
    );
    if (!result.ok) throw new Error(`generated event ${i} is invalid: ${JSON.stringify(result.errors)}`);
    return result.event;
  });
}

/** A raw object key as the archiver makes it, for partition `partition` and offsets from `firstOffset`. */
export function objectKey(partition: number, firstOffset: number, lines: number, receivedAt: string | Date): string {
  return rawObjectKey({
    topic: 'clickstream.events',
    partition,
    firstOffset: String(firstOffset),
    lastOffset: String(firstOffset + Math.max(lines, 1) - 1),
    receivedAt: new Date(receivedAt),
  });
}

export interface WrittenObject {
  key: string;
  lines: string[];
}

/**
 * Writes `events` as objects of `perObject` lines each (dt=/hour= of each object's first event),
 * one partition, consecutive offsets. Returns the objects in key order.
 */
export async function writeObjects(archive: RawArchive, events: CanonicalEvent[], perObject: number, options: { partition?: number; firstOffset?: number } = {}): Promise<WrittenObject[]> {
  const partition = options.partition ?? 0;
  let offset = options.firstOffset ?? 0;
  const objects: WrittenObject[] = [];
  for (let i = 0; i < events.length; i += perObject) {
    const chunk = events.slice(i, i + perObject);
    const lines = chunk.map((e) => JSON.stringify(e));
    const key = objectKey(partition, offset, lines.length, chunk[0].received_at);
    offset += lines.length;
    await archive.putObject(key, lines);
    objects.push({ key, lines });
  }
  return objects.sort((a, b) => a.key.localeCompare(b.key));
}

export function quietLogger(lines: string[] = []): Logger {
  return capturedLogger('etl', lines);
}

/** `site_id/event_id` of every row of `events`, sorted. */
export async function storedEventKeys(warehouse: Pick<Warehouse, 'sql'>): Promise<string[]> {
  const rows = await warehouse.sql<{ k: string }[]>`select site_id || '/' || event_id as k from events order by 1`;
  return rows.map((r) => r.k);
}

export const keyOf = (e: CanonicalEvent) => `${e.site_id}/${e.event_id}`;

export interface ManifestRow {
  key: string;
  etag: string;
  rows: number;
  rejected: number;
  bytes: number;
}

export async function manifest(warehouse: Pick<Warehouse, 'sql'>): Promise<ManifestRow[]> {
  const rows = await warehouse.sql<ManifestRow[]>`select key, etag, rows, rejected, bytes::int as bytes from etl_objects order by key`;
  return rows.map((r) => ({ ...r }));
}

export async function rejects(warehouse: Pick<Warehouse, 'sql'>): Promise<Array<{ object_key: string; line_number: number; reason: string; line: string }>> {
  const rows = await warehouse.sql<Array<{ object_key: string; line_number: number; reason: string; line: string }>>`
    select object_key, line_number, reason, line from etl_rejects order by object_key, line_number`;
  return rows.map((r) => ({ ...r }));
}

export async function runs(warehouse: Pick<Warehouse, 'sql'>): Promise<Array<{ id: number; status: string; objects: number; rows: number; rejects: number; error: string | null; finished: boolean }>> {
  const rows = await warehouse.sql<Array<{ id: string; status: string; objects: number; rows: number; rejects: number; error: string | null; finished: boolean }>>`
    select id, status, objects, rows, rejects, error, finished_at is not null as finished from etl_runs order by id`;
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** A comparable dump of the sessions and page_views models (what a rebuild must reproduce exactly). */
export async function modelSnapshot(warehouse: Pick<Warehouse, 'sql'>): Promise<{ sessions: unknown[]; pageViews: unknown[]; orders: unknown[] }> {
  const sessions = await warehouse.sql`select site_id, session_id, is_bot, user_id, started_at, ended_at, events, page_views, clicks, purchases from sessions order by 1, 2, 3`;
  const pageViews = await warehouse.sql`select site_id, event_id, session_id, viewed_at, path, time_on_page_seconds, scroll_depth, is_exit from page_views order by 1, 2`;
  const orders = await warehouse.sql`select site_id, order_id, is_bot, amount from orders order by 1, 2, 3`;
  return { sessions: sessions.map((r) => ({ ...r })), pageViews: pageViews.map((r) => ({ ...r })), orders: orders.map((r) => ({ ...r })) };
}

