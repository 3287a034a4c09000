// Writes of the live stream consumer: per-minute counts added to user_minute_counts and, summed per
// UTC hour, to live_hour_counts, and the Kafka offsets those counts include, meant to be written in
// one transaction.
import type { Sql, TransactionSql } from 'postgres';
import { isTransaction } from './transaction';

type Queryable = Sql | TransactionSql;

export interface MinuteCount {
  site_id: string;
  /** Truncated to the minute (UTC) before it is stored. */
  minute: Date;
  user_id: string;
  event_type: string;
  count: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const MAX_SLOT = 2 ** 31 - 1;

/**
 * Adds the counts to user_minute_counts, and their sums per (site_id, UTC hour, event_type) to
 * live_hour_counts in `options.slot` (default 0): the Kafka partition the counts come from, so
 * consumers of different partitions never wait on each other's hour rows. One statement per table.
 * Rows with the same key are summed first (one INSERT … ON CONFLICT DO UPDATE may not touch a row
 * twice) and written in key order, minute rows before hour rows, so two writers adding to the same
 * rows lock them in the same order and cannot deadlock (which holds for one call per transaction: a
 * second one would lock minute rows after hour rows). With a transaction both writes are part of it;
 * with a pool they run in a transaction of their own, so the two tables always agree.
 * Returns the number of distinct minute rows written.
 */
export async function applyMinuteCounts(tx: Queryable, rows: readonly MinuteCount[], options: { slot?: number } = {}): Promise<number> {
  const slot = options.slot ?? 0;
  // an integer column, like the Kafka partition numbers it holds
  if (!Number.isInteger(slot) || slot < 0 || slot > MAX_SLOT) throw new Error(`applyMinuteCounts: slot must be an integer from 0 to ${MAX_SLOT}, got ${String(slot)}`);
  const merged = new Map<string, { site_id: string; minute: number; user_id: string; event_type: string; count: number }>();
  for (const row of rows) {
    const minute = Math.floor(row.minute.getTime() / MINUTE_MS) * MINUTE_MS;
    if (!Number.isFinite(minute)) throw new Error(`applyMinuteCounts: invalid minute for user ${row.user_id}`);
    const key = JSON.stringify([row.site_id, minute, row.user_id, row.event_type]);
    const existing = merged.get(key);
    if (existing) existing.count += row.count;
    else merged.set(key, { site_id: row.site_id, minute, user_id: row.user_id, event_type: row.event_type, count: row.count });
  }
  if (merged.size === 0) return 0;
  const ordered = [...merged.values()].sort(
    (a, b) =>
      compare(a.site_id, b.site_id) || a.minute - b.minute || compare(a.user_id, b.user_id) || compare(a.event_type, b.event_type),
  );
  const hours = new Map<string, { site_id: string; hour: number; event_type: string; count: number }>();
  for (const row of ordered) {
    const hour = Math.floor(row.minute / HOUR_MS) * HOUR_MS;
    const key = JSON.stringify([row.site_id, hour, row.event_type]);
    const existing = hours.get(key);
    if (existing) existing.count += row.count;
    else hours.set(key, { site_id: row.site_id, hour, event_type: row.event_type, count: row.count });
  }
  const orderedHours = [...hours.values()].sort((a, b) => compare(a.site_id, b.site_id) || a.hour - b.hour || compare(a.event_type, b.event_type));

  const write = async (q: TransactionSql): Promise<number> => {
    const result = await q`
      insert into user_minute_counts (site_id, minute, user_id, event_type, event_count)
      select * from unnest(
        ${ordered.map((r) => r.site_id)}::text[],
        ${ordered.map((r) => new Date(r.minute).toISOString())}::timestamptz[],
        ${ordered.map((r) => r.user_id)}::text[],
        ${ordered.map((r) => r.event_type)}::text[],
        ${ordered.map((r) => String(r.count))}::bigint[]
      )
      on conflict (site_id, minute, user_id, event_type)
      do update set event_count = user_minute_counts.event_count + excluded.event_count`;
    await q`
      insert into live_hour_counts (site_id, hour, event_type, slot, event_count)
      select site_id, hour, event_type, ${slot}::integer, event_count from unnest(
        ${orderedHours.map((r) => r.site_id)}::text[],
        ${orderedHours.map((r) => new Date(r.hour).toISOString())}::timestamptz[],
        ${orderedHours.map((r) => r.event_type)}::text[],
        ${orderedHours.map((r) => String(r.count))}::bigint[]
      ) as t(site_id, hour, event_type, event_count)
      on conflict (site_id, hour, event_type, slot)
      do update set event_count = live_hour_counts.event_count + excluded.event_count`;
    return result.count;
  };
  return isTransaction(tx) ? write(tx) : tx.begin(write);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The stored next offset of each partition of `topic` for `groupId` (decimal strings, as Kafka
 * offsets are 64-bit). With `lock: true` (inside a transaction) the rows are locked until it ends,
 * so a consumer that lost its partitions cannot write over the new owner's progress unnoticed.
 */
export async function readConsumerOffsets(
  sql: Queryable,
  groupId: string,
  topic: string,
  options: { lock?: boolean } = {},
): Promise<Map<number, string>> {
  const rows = await sql<{ partition: number; next_offset: string }[]>`
    select partition, next_offset::text as next_offset from consumer_offsets
    where group_id = ${groupId} and topic = ${topic}
    order by partition
    ${options.lock ? sql`for update` : sql``}`;
  return new Map(rows.map((r) => [r.partition, r.next_offset]));
}

/**
 * Locks the offset row of one partition for the rest of the transaction and returns its stored next
 * offset (0 when the partition has none yet: the row is created, so the lock holds from the first
 * batch on). A consumer that lost the partition but still commits waits here, then sees the new
 * owner's offset and can skip what was already counted.
 */
export async function claimConsumerOffset(tx: TransactionSql, groupId: string, topic: string, partition: number): Promise<bigint> {
  const lockRow = () =>
    tx<{ next_offset: string }[]>`
      select next_offset::text as next_offset from consumer_offsets
      where group_id = ${groupId} and topic = ${topic} and partition = ${partition}
      for update`;
  let [row] = await lockRow();
  if (!row) {
    await tx`
      insert into consumer_offsets (group_id, topic, partition, next_offset)
      values (${groupId}, ${topic}, ${partition}, 0)
      on conflict (group_id, topic, partition) do nothing`;
    [row] = await lockRow();
  }
  return BigInt(row.next_offset);
}

/** Stores the next offset to consume for each partition (upsert); meant for the transaction that holds their effects. */
export async function writeConsumerOffsets(
  tx: Queryable,
  groupId: string,
  topic: string,
  offsets: ReadonlyMap<number, string | bigint>,
): Promise<void> {
  if (offsets.size === 0) return;
  const entries = [...offsets].sort(([a], [b]) => a - b);
  for (const [partition, offset] of entries) {
    if (!Number.isInteger(partition) || partition < 0) throw new Error(`writeConsumerOffsets: invalid partition ${partition}`);
    if (!/^\d+$/.test(String(offset))) throw new Error(`writeConsumerOffsets: invalid offset ${String(offset)} for partition ${partition}`);
  }
  await tx`
    insert into consumer_offsets (group_id, topic, partition, next_offset, updated_at)
    select ${groupId}, ${topic}, p, o, now()
    from unnest(${entries.map(([p]) => p)}::integer[], ${entries.map(([, o]) => String(o))}::bigint[]) as t(p, o)
    on conflict (group_id, topic, partition)
    do update set next_offset = excluded.next_offset, updated_at = excluded.updated_at`;
}
