// Migration 0004 adds rollup tables and fills them from what a warehouse already holds, so a
// warehouse modelled before it answers from them at once. Its fill must give exactly the rows the
// model rebuild and the live rollups write: both are compared here with the in-memory reference.
import type { Sql } from 'postgres';
import { copyEvents, rebuildModels, readMigrations } from '../src';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '../src/testing';
import { canonicalRows, referenceModels } from './support/reference-models';
import { generateSessions } from './support/sessions-dataset';

jest.setTimeout(120_000);

const MIGRATION = '0004_dashboard_rollups';
const MODEL_TABLES = ['user_hours', 'dimension_user_hours', 'session_user_hours', 'page_user_hours'] as const;
const COUNT_TABLES = ['event_dimension_hourly', 'session_dimension_hourly'] as const;

/** The migration's statements that fill tables. */
function fillStatements(): string[] {
  const migration = readMigrations().find((m) => m.tag === MIGRATION);
  if (!migration) throw new Error(`${MIGRATION} is not shipped`);
  const fills = migration.statements.filter((s) => /^INSERT INTO/i.test(s));
  expect(fills.length).toBe(8);
  return fills;
}

/** A table's rows, users by user_id (the numbers the rebuild and the migration give may differ). */
async function readTable(sql: Sql, table: string): Promise<Array<Record<string, string | number | boolean | null>>> {
  const rows = await sql.unsafe(`select t.*, n.user_id from ${table} t join user_numbers n using (site_id, user_no)`);
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row)
        .filter(([k]) => k !== 'user_no')
        .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : (v as string | number | boolean | null)]),
    ),
  );
}

async function readCounts(sql: Sql, table: string): Promise<Array<Record<string, string | number | boolean | null>>> {
  const rows = await sql.unsafe(`select * from ${table}`);
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : (v as string | number | boolean | null)])));
}

describe(`migration ${MIGRATION}`, () => {
  let pg: TestPostgres;
  let wh: TestWarehouse;
  beforeAll(async () => {
    pg = await startTestPostgres();
    wh = await createTestWarehouse(pg.url, { max: 2 });
  });
  afterAll(async () => {
    await wh?.drop();
    await pg?.stop();
  });

  it('fills the rollup tables from existing models exactly as the rebuild does', async () => {
    const dataset = generateSessions({ seed: 7 });
    const { touched } = await copyEvents(wh.sql, dataset);
    await rebuildModels(wh.sql, { touched });
    // minute rows as the live consumer writes them, and no hour rows yet (a warehouse from before 0004)
    await wh.sql`
      insert into user_minute_counts (site_id, minute, user_id, event_type, event_count) values
        ('a', '2026-03-01T10:05:00Z', 'u1', 'click', 3), ('a', '2026-03-01T10:59:00Z', 'u2', 'click', 4),
        ('a', '2026-03-01T11:00:00Z', 'u1', 'click', 5), ('a', '2026-03-01T10:30:00Z', 'u1', 'page_view', 7),
        ('b', '2026-03-01T10:30:00Z', 'u1', 'click', 1)`;

    const read = (table: string) => (COUNT_TABLES.includes(table as never) ? readCounts(wh.sql, table) : readTable(wh.sql, table));
    const tables = [...MODEL_TABLES, ...COUNT_TABLES];
    const rebuilt = Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await read(t)] as const)));
    const reference = referenceModels(dataset);
    for (const table of tables) {
      expect(rebuilt[table].length).toBeGreaterThan(0);
      expect({ table, rows: canonicalRows(rebuilt[table]) }).toEqual({ table, rows: canonicalRows(reference[table]) });
    }

    // the migration's fill, on empty tables, in one transaction as migrate() runs it
    await wh.sql.begin(async (tx) => {
      for (const table of [...tables, 'user_numbers', 'live_hour_counts']) await tx.unsafe(`truncate ${table}`);
      for (const statement of fillStatements()) await tx.unsafe(statement);
    });
    for (const table of tables) {
      expect({ table, rows: canonicalRows(await read(table)) }).toEqual({ table, rows: canonicalRows(rebuilt[table]) });
    }
    const hours = await wh.sql`select site_id, hour, event_type, slot, event_count::int as n from live_hour_counts order by 1, 2, 3`;
    expect(hours.map((h) => [h.site_id, (h.hour as Date).toISOString(), h.event_type, h.slot, h.n])).toEqual([
      ['a', '2026-03-01T10:00:00.000Z', 'click', 0, 7],
      ['a', '2026-03-01T10:00:00.000Z', 'page_view', 0, 7],
      ['a', '2026-03-01T11:00:00.000Z', 'click', 0, 5],
      ['b', '2026-03-01T10:00:00.000Z', 'click', 0, 1],
    ]);
  });
});

describe('migration 0007_session_kinds', () => {
  let pg: TestPostgres;
  let wh: TestWarehouse;
  beforeAll(async () => {
    pg = await startTestPostgres();
    wh = await createTestWarehouse(pg.url, { max: 2 });
  });
  afterAll(async () => {
    await wh?.drop();
    await pg?.stop();
  });

  it("fills sessions.kinds from the events exactly as the rebuild writes it, and the reference's letters", async () => {
    const dataset = generateSessions({ seed: 9 });
    const { touched } = await copyEvents(wh.sql, dataset);
    await rebuildModels(wh.sql, { touched });
    const readKinds = async () =>
      (await wh.sql`select site_id, session_id, is_bot, kinds from sessions order by 1, 2, 3`).map((r) => `${r.site_id}|${r.session_id}|${r.is_bot}|${r.kinds}`);
    const rebuilt = await readKinds();
    const reference = referenceModels(dataset)['sessions'].map((s) => `${s.site_id}|${s.session_id}|${s.is_bot}|${s.kinds}`).sort();
    expect(rebuilt.slice().sort()).toEqual(reference);
    expect(rebuilt.some((k) => /\|[a-z]{5,}$/.test(k))).toBe(true);

    const migration = readMigrations().find((m) => m.tag === '0007_session_kinds');
    const fill = migration?.statements.filter((s) => /^UPDATE/i.test(s.trim())) ?? [];
    expect(fill).toHaveLength(1);
    await wh.sql`update sessions set kinds = ''`;
    await wh.sql.unsafe(fill[0]);
    expect(await readKinds()).toEqual(rebuilt);
  });
});

/** The user-set tables, the migration that adds and fills each, and each table's key columns beside the day. */
const USER_SET_FILLS = [
  { tag: '0008_page_user_days', table: 'page_user_days', keys: 'day::text as day, path' },
  { tag: '0009_dimension_user_days', table: 'dimension_user_days', keys: 'day::text as day, dimension, value' },
  { tag: '0010_user_hour_sets', table: 'user_hour_sets', keys: 'hour' },
  { tag: '0010_user_hour_sets', table: 'session_user_hour_sets', keys: 'hour' },
] as const;

describe('migrations 0008 to 0011 (user sets, users.user_no)', () => {
  let pg: TestPostgres;
  let wh: TestWarehouse;
  beforeAll(async () => {
    pg = await startTestPostgres();
    wh = await createTestWarehouse(pg.url, { max: 2 });
    const { touched } = await copyEvents(wh.sql, generateSessions({ seed: 13 }));
    await rebuildModels(wh.sql, { touched });
  });
  afterAll(async () => {
    await wh?.drop();
    await pg?.stop();
  });

  it('page_user_days sets hold as many members as the day\'s distinct users in page_user_hours', async () => {
    const [{ sets, mismatched }] = await wh.sql<[{ sets: number; mismatched: number }]>`
      select count(*)::int as sets, (count(*) filter (where bit_count(d.users) <> h.users))::int as mismatched
      from page_user_days d
      full join (select site_id, (hour at time zone 'UTC')::date as day, is_bot, path, count(distinct user_no) as users
                 from page_user_hours group by 1, 2, 3, 4) h using (site_id, day, is_bot, path)`;
    expect(sets).toBeGreaterThan(0);
    expect(mismatched).toBe(0);
  });

  it.each(USER_SET_FILLS)('$tag fills $table from the hour rows exactly as the rebuild writes it', async ({ tag, table, keys }) => {
    const readSets = async () =>
      (await wh.sql.unsafe(`select site_id, is_bot, ${keys}, users::text as users from ${table}`)).map((r) => JSON.stringify(r)).sort();
    const rebuilt = await readSets();
    expect(rebuilt.length).toBeGreaterThan(0);
    const migration = readMigrations().find((m) => m.tag === tag);
    const fill = migration?.statements.filter((s) => s.includes(`INSERT INTO "${table}"`)) ?? [];
    expect(fill).toHaveLength(1);
    await wh.sql.unsafe(`truncate ${table}`);
    await wh.sql.unsafe(fill[0]);
    expect(await readSets()).toEqual(rebuilt);
  });

  it("0011_users_user_no fills users.user_no with each user's number, as the rebuild writes it (last: it leaves the column nullable)", async () => {
    const readUsers = async () =>
      (await wh.sql`select site_id, user_id, is_bot, user_no from users order by 1, 2, 3`).map((r) => `${r.site_id}|${r.user_id}|${r.is_bot}|${r.user_no}`);
    const rebuilt = await readUsers();
    expect(rebuilt.length).toBeGreaterThan(0);
    const [{ wrong }] = await wh.sql<[{ wrong: number }]>`
      select count(*)::int as wrong from users u
      where not exists (select 1 from user_numbers n where n.site_id = u.site_id and n.user_id = u.user_id and n.user_no = u.user_no)`;
    expect(wrong).toBe(0);

    const migration = readMigrations().find((m) => m.tag === '0011_users_user_no');
    const fill = migration?.statements.filter((s) => /^UPDATE "users"/m.test(s)) ?? [];
    expect(fill).toHaveLength(1);
    await wh.sql`alter table users alter column user_no drop not null`;
    await wh.sql`update users set user_no = null`;
    await wh.sql.unsafe(fill[0]);
    expect(await readUsers()).toEqual(rebuilt);
  });
});
