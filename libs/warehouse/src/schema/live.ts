// What the live stream consumer writes: per-minute event counts per user (seed 003's rollup) and the
// Kafka offsets they include, stored in the same transaction so a replay never counts twice.
import { bigint, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const user_minute_counts = pgTable(
  'user_minute_counts',
  {
    site_id: text().notNull(),
    minute: timestamp({ withTimezone: true }).notNull(),
    user_id: text().notNull(),
    event_type: text().notNull(),
    event_count: bigint({ mode: 'number' }).notNull(),
  },
  // The key leads with (site_id, minute), so it also serves every read of a site's minutes. A
  // second index on those two columns (dropped in 0012) read a window faster, but cost every
  // upserted row another insert, and rows are written per event while windows are read per page view.
  (t) => [primaryKey({ name: 'user_minute_counts_pkey', columns: [t.site_id, t.minute, t.user_id, t.event_type] })],
);

/**
 * user_minute_counts summed per UTC hour and event type, for today's totals and daily volume without
 * reading every minute row. Each writer adds to its own `slot` (the Kafka partition it consumes), so
 * consumers of different partitions never wait on each other's rows; readers sum the slots.
 */
export const live_hour_counts = pgTable(
  'live_hour_counts',
  {
    site_id: text().notNull(),
    hour: timestamp({ withTimezone: true }).notNull(),
    event_type: text().notNull(),
    slot: integer().notNull(),
    event_count: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ name: 'live_hour_counts_pkey', columns: [t.site_id, t.hour, t.event_type, t.slot] })],
);

export const consumer_offsets = pgTable(
  'consumer_offsets',
  {
    group_id: text().notNull(),
    topic: text().notNull(),
    partition: integer().notNull(),
    next_offset: bigint({ mode: 'bigint' }).notNull(),
    updated_at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'consumer_offsets_pkey', columns: [t.group_id, t.topic, t.partition] })],
);
