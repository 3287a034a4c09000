// migrate() against a real PostgreSQL: concurrent starts, new migrations, atomic failure.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWarehouse, migrate, MIGRATIONS_FOLDER, readMigrations, type Warehouse } from '../src';
import { startTestPostgres, type TestPostgres } from '../src/testing';
import { dropSchemas, randomSchema } from './support/schemas';

/** The migrations this package ships, in order. */
const SHIPPED = readMigrations().map((m) => m.tag);

jest.setTimeout(60_000);

describe('migrate', () => {
  let pg: TestPostgres;
  const schemas: string[] = [];
  const warehouses: Warehouse[] = [];
  const folders: string[] = [];
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await Promise.all(warehouses.map((w) => w.close()));
    if (pg) await dropSchemas(pg.url, schemas);
    for (const f of folders) rmSync(f, { recursive: true, force: true });
    await pg?.stop();
  });

  const warehouse = (schema: string) => {
    const w = createWarehouse({ url: pg.url, schema, max: 1 });
    warehouses.push(w);
    return w;
  };
  const newSchema = () => {
    const s = randomSchema();
    schemas.push(s);
    return s;
  };
  /** A copy of the real migrations folder with one more migration appended. */
  const folderWith = (tag: string, sql: string) => {
    const folder = mkdtempSync(join(tmpdir(), 'clickstream-migrations-'));
    folders.push(folder);
    cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
    journal.entries.push({ idx: journal.entries.length, version: '7', when: Date.now(), tag, breakpoints: true });
    writeFileSync(journalPath, JSON.stringify(journal));
    writeFileSync(join(folder, `${tag}.sql`), sql);
    return folder;
  };

  it('applies the migrations once when five processes start at the same moment', async () => {
    const schema = newSchema();
    const starters = Array.from({ length: 5 }, () => warehouse(schema));
    const results = await Promise.all(starters.map((w) => w.migrate()));
    expect(results.filter((r) => r.applied.length > 0)).toEqual([{ applied: SHIPPED, alreadyApplied: [] }]);
    expect(results.filter((r) => r.applied.length === 0)).toHaveLength(4);
    const { sql } = starters[0];
    expect((await sql`select tag from schema_migrations order by tag`).map((r) => r.tag)).toEqual(SHIPPED);
    const tables = await sql`select table_name from information_schema.tables where table_schema = ${schema} order by 1`;
    expect(tables.map((t) => t.table_name)).toEqual([
      'analyst_sessions',
      'analysts',
      'api_tokens',
      'click_through_daily',
      'consumer_offsets',
      'dim_date',
      'dimension_user_days',
      'dimension_user_hours',
      'etl_objects',
      'etl_rejects',
      'etl_runs',
      'event_counts_hourly',
      'event_dimension_hourly',
      'events',
      'live_hour_counts',
      'order_items',
      'orders',
      'page_engagement_daily',
      'page_user_days',
      'page_user_hours',
      'page_views',
      'products',
      'revenue_daily',
      'schema_migrations',
      'scroll_depth_daily',
      'session_dimension_hourly',
      'session_metrics_daily',
      'session_user_hour_sets',
      'session_user_hours',
      'sessions',
      'user_hour_sets',
      'user_hours',
      'user_minute_counts',
      'user_numbers',
      'users',
    ]);
    expect(await starters[1].migrate()).toEqual({ applied: [], alreadyApplied: SHIPPED });
  });

  it('creates the tables in the given schema only, whatever the connection search_path', async () => {
    const schema = newSchema();
    const other = warehouse('public');
    await migrate(other.sql, { schema });
    const [row] = await other.sql`select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name = 'events'`;
    expect(row.n).toBe(0);
    const [mine] = await other.sql`select count(*)::int as n from information_schema.tables where table_schema = ${schema} and table_name = 'events'`;
    expect(mine.n).toBe(1);
  });

  it('applies only the new migrations of a later release, and notices an edited applied one', async () => {
    const schema = newSchema();
    const w = warehouse(schema);
    await w.migrate();
    const folder = folderWith('9999_extra', 'CREATE TABLE "extra" ("id" integer);\n--> statement-breakpoint\nCREATE INDEX "extra_id_idx" ON "extra" ("id");');
    const warnings: unknown[] = [];
    const logger = { info: () => undefined, warn: (obj: object, msg: string) => warnings.push({ ...obj, msg }) };
    expect(await migrate(w.sql, { schema, migrationsFolder: folder, logger })).toEqual({ applied: ['9999_extra'], alreadyApplied: SHIPPED });
    await w.sql`insert into extra values (1)`;

    writeFileSync(join(folder, '0000_init.sql'), readFileSync(join(folder, '0000_init.sql'), 'utf8') + '\n-- edited\n');
    expect((await migrate(w.sql, { schema, migrationsFolder: folder, logger })).applied).toEqual([]);
    expect(warnings).toEqual([expect.objectContaining({ schema, tag: '0000_init', msg: expect.stringContaining('changed') })]);
  });

  it('applies all or nothing: a failing migration leaves no schema, tables or records behind', async () => {
    const schema = newSchema();
    const w = warehouse(schema);
    const folder = folderWith('0001_broken', 'CREATE TABLE "fine" ("id" integer);\n--> statement-breakpoint\nCREATE TABLE "broken" (id nosuchtype);');
    await expect(migrate(w.sql, { schema, migrationsFolder: folder })).rejects.toThrow(/nosuchtype/);
    const [row] = await w.sql`select count(*)::int as n from pg_namespace where nspname = ${schema}`;
    expect(row.n).toBe(0);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    expect(() => createWarehouse({ url: pg.url, schema: 'bad"; drop' })).toThrow('invalid warehouse schema name');
    await expect(migrate(warehouse(newSchema()).sql, { schema: 'Upper' })).rejects.toThrow('invalid warehouse schema name');
  });
});
