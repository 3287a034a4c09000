// ETL bookkeeping: the manifest of raw objects already loaded, one row per run, and the lines
// that could not be loaded (with the reason), so nothing is dropped silently.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const etl_objects = pgTable('etl_objects', {
  key: text().primaryKey(),
  etag: text().notNull(),
  rows: integer().notNull().default(0),
  rejected: integer().notNull().default(0),
  bytes: bigint({ mode: 'number' }).notNull().default(0),
  loaded_at: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const ETL_RUN_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type EtlRunStatus = (typeof ETL_RUN_STATUSES)[number];

export const etl_runs = pgTable(
  'etl_runs',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    started_at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finished_at: timestamp({ withTimezone: true }),
    status: text().$type<EtlRunStatus>().notNull().default('running'),
    objects: integer().notNull().default(0),
    rows: integer().notNull().default(0),
    rejects: integer().notNull().default(0),
    error: text(),
  },
  (t) => [check('etl_runs_status_check', sql`${t.status} in ('running', 'succeeded', 'failed')`)],
);

/** Rejected lines are stored truncated to this many characters. */
export const ETL_REJECT_LINE_MAX_CHARS = 2048;

export const etl_rejects = pgTable('etl_rejects', {
  id: bigserial({ mode: 'number' }).primaryKey(),
  object_key: text().notNull(),
  line_number: integer().notNull(),
  reason: text().notNull(),
  line: text(),
  created_at: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
