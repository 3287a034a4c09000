// The warehouse connection: a postgres.js pool whose every connection has search_path set to the
// warehouse schema, and drizzle over the same pool.
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';
import type { WarehouseLogger } from './logger';
import { migrate, type MigrateResult } from './migrate';
import { guardTransactions } from './transaction';
import { consumer_offsets, etl_objects, etl_rejects, etl_runs, events, user_minute_counts } from './schema';
import { assertSchemaName, DEFAULT_WAREHOUSE_SCHEMA } from './schema-name';

/** The tables drizzle knows (for `db.query.*` and typed selects). */
export const tables = { events, etl_objects, etl_runs, etl_rejects, consumer_offsets, user_minute_counts };

export type WarehouseDb = PostgresJsDatabase<typeof tables>;

export interface WarehouseOptions {
  url: string;
  /** The schema every connection's search_path points at. */
  schema?: string;
  /** Pool size (postgres.js `max`); default 10. */
  max?: number;
  /**
   * PostgreSQL `work_mem` of every pooled connection (e.g. '64MB'); the server's default when
   * absent. Dashboard queries hash hundreds of thousands of (user, hour) rows, which spill to disk
   * under the 4 MB default.
   */
  workMem?: string;
  /**
   * PostgreSQL `jit` of every pooled connection; the server's default (on) when absent. The
   * dashboard turns it off: its statements take milliseconds to run, and compiling one the planner
   * thinks costly took 300–400 ms (retention p95 469 ms with JIT, 170 ms without, on 10M events).
   */
  jit?: boolean;
  logger?: WarehouseLogger;
}

export interface Warehouse {
  sql: Sql;
  db: WarehouseDb;
  schema: string;
  /** migrate() for this schema. */
  migrate(): Promise<MigrateResult>;
  close(): Promise<void>;
}

/** A work_mem setting: a whole number with an optional kB/MB/GB unit. */
function assertWorkMem(value: string): string {
  if (!/^\d{1,7}\s*(kB|MB|GB)?$/.test(value)) throw new Error(`workMem must be a number with kB, MB or GB (e.g. 64MB), got ${JSON.stringify(value)}`);
  return value;
}

export function createWarehouse(options: WarehouseOptions): Warehouse {
  const schema = assertSchemaName(options.schema ?? DEFAULT_WAREHOUSE_SCHEMA);
  // begin() guarded against postgres.js crashing the process when a transaction's connection dies
  const sql = guardTransactions(postgres(options.url, {
    max: options.max ?? 10,
    // A startup parameter, so it holds on every pooled connection from its first query on.
    connection: {
      search_path: schema,
      application_name: 'clickstream',
      ...(options.workMem ? { work_mem: assertWorkMem(options.workMem) } : {}),
      ...(options.jit === undefined ? {} : { jit: options.jit ? 'on' : 'off' }),
    },
    onnotice: () => undefined, // "already exists, skipping" and the like
  }));
  const db = drizzleKeepingTypes(sql);
  return {
    sql,
    db,
    schema,
    migrate: () => migrate(sql, { schema, logger: options.logger }),
    close: () => sql.end({ timeout: 5 }),
  };
}

/**
 * drizzle() replaces the pool's timestamp parsers and serializers with pass-throughs and its json
 * serializers with pass-throughs, which would make plain `sql` queries return timestamps as strings
 * and send Dates as garbage. Put postgres.js's own handling back: drizzle's `timestamp` columns
 * (mode 'date') accept Date values, and a json serializer that passes strings through serves both
 * drizzle (it stringifies jsonb values itself) and `sql` users who pass objects. `date` values stay
 * 'YYYY-MM-DD' strings: a calendar day is not an instant.
 */
function drizzleKeepingTypes(sql: Sql): WarehouseDb {
  const { parsers, serializers } = sql.options;
  const savedParsers = { ...parsers };
  const savedSerializers = { ...serializers };
  const db = drizzle({ client: sql, schema: tables });
  restore(parsers, savedParsers);
  restore(serializers, savedSerializers);
  const json = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  serializers[114] = json;
  serializers[3802] = json;
  parsers[1082] = (value: string) => value;
  return db;
}

function restore<T>(target: Record<number, T>, saved: Record<number, T>): void {
  for (const key of Object.keys(target)) delete target[Number(key)];
  Object.assign(target, saved);
}
