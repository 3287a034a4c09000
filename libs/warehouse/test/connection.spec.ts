// createWarehouse: search_path on every pooled connection, and postgres.js types intact next to drizzle.
import { desc, eq } from 'drizzle-orm';
import { createWarehouse, etl_runs, events } from '../src';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '../src/testing';

jest.setTimeout(60_000);

describe('createWarehouse', () => {
  let pg: TestPostgres;
  let wh: TestWarehouse;
  beforeAll(async () => {
    pg = await startTestPostgres();
    wh = await createTestWarehouse(pg.url, { max: 4 });
  });
  afterAll(async () => {
    await wh?.drop();
    await pg?.stop();
  });

  it('points every pooled connection at the warehouse schema', async () => {
    const rows = await Promise.all(
      Array.from({ length: 8 }, () => wh.sql`select current_schema() as schema, pg_backend_pid() as pid, pg_sleep(0.05)`),
    );
    expect(new Set(rows.map(([r]) => r.schema))).toEqual(new Set([wh.schema]));
    expect(new Set(rows.map(([r]) => r.pid)).size).toBeGreaterThan(1);
    await wh.sql.begin(async (tx) => {
      const [r] = await tx`select current_schema() as schema`;
      expect(r.schema).toBe(wh.schema);
    });
  });

  it('sets work_mem on every pooled connection when asked, and refuses a malformed value', async () => {
    const tuned = createWarehouse({ url: pg.url, schema: wh.schema, max: 3, workMem: '48MB' });
    try {
      const rows = await Promise.all(Array.from({ length: 6 }, () => tuned.sql`select current_setting('work_mem') as w, pg_sleep(0.05)`));
      expect(new Set(rows.map(([r]) => r.w))).toEqual(new Set(['48MB']));
    } finally {
      await tuned.close();
    }
    expect(() => createWarehouse({ url: pg.url, workMem: '64 megabytes; drop table x' })).toThrow(/workMem/);
  });

  it('sets jit on every pooled connection when asked, and leaves the server default otherwise', async () => {
    const [{ server }] = await wh.sql<[{ server: string }]>`select current_setting('jit') as server`;
    for (const jit of [false, true]) {
      const tuned = createWarehouse({ url: pg.url, schema: wh.schema, max: 3, jit });
      try {
        const rows = await Promise.all(Array.from({ length: 6 }, () => tuned.sql`select current_setting('jit') as j, pg_sleep(0.05)`));
        expect(new Set(rows.map(([r]) => r.j))).toEqual(new Set([jit ? 'on' : 'off']));
      } finally {
        await tuned.close();
      }
    }
    expect(['on', 'off']).toContain(server);
  });

  it('keeps postgres.js types for plain sql: Date in and out, jsonb objects in and out, date as YYYY-MM-DD', async () => {
    const at = new Date('2024-05-01T10:11:12.345Z');
    const [row] = await wh.sql`
      select ${at}::timestamptz as t, ${at}::timestamptz + interval '1 minute' as later,
             ${wh.sql.json({ a: [1, 'x'] })}::jsonb as j, '2024-05-01'::date as d, 12.5::numeric(14,2) as n, 9007199254740993::bigint as big`;
    expect(row.t).toEqual(at);
    expect(row.later).toEqual(new Date('2024-05-01T10:12:12.345Z'));
    expect(row.j).toEqual({ a: [1, 'x'] });
    expect(row.d).toBe('2024-05-01');
    expect(row.n).toBe('12.50');
    expect(row.big).toBe('9007199254740993');
    const [arr] = await wh.sql`select array[${at}::timestamptz] as ts`;
    expect(arr.ts).toEqual([at]);
  });

  it('lets drizzle write and read the same tables (timestamps as Date, jsonb as objects)', async () => {
    const [run] = await wh.db.insert(etl_runs).values({ started_at: new Date('2024-05-01T00:00:00Z') }).returning();
    expect(run).toMatchObject({ status: 'running', objects: 0, started_at: new Date('2024-05-01T00:00:00Z') });
    await wh.db.update(etl_runs).set({ status: 'succeeded', finished_at: new Date('2024-05-01T00:01:00Z') }).where(eq(etl_runs.id, run.id));
    const [latest] = await wh.db.select().from(etl_runs).orderBy(desc(etl_runs.id)).limit(1);
    expect(latest).toMatchObject({ id: run.id, status: 'succeeded', finished_at: new Date('2024-05-01T00:01:00Z') });

    const payload = {
      schema_version: 1 as const,
      event_id: '0190f0e0-0000-7000-8000-0000000000aa',
      event_type: 'page_view' as const,
      site_id: 's',
      user_id: 'u',
      session_id: 'x',
      event_time: '2024-05-01T00:00:00.000Z',
      received_at: '2024-05-01T00:00:00.000Z',
      context: { is_bot: false },
    };
    await wh.db.insert(events).values({
      site_id: 's',
      event_id: payload.event_id,
      event_type: 'page_view',
      user_id: 'u',
      session_id: 'x',
      event_time: new Date(payload.event_time),
      received_at: new Date(payload.received_at),
      payload,
    });
    const [stored] = await wh.db.select().from(events).where(eq(events.event_id, payload.event_id));
    expect(stored.payload).toEqual(payload);
    expect(stored.event_time).toEqual(new Date(payload.event_time));
    const [raw] = await wh.sql`select json_typeof(payload) as kind, payload->>'user_id' as user_id from events where event_id = ${payload.event_id}`;
    expect(raw).toEqual({ kind: 'object', user_id: 'u' });
  });

  it('enforces the etl_runs status values', async () => {
    await expect(wh.sql`insert into etl_runs (status) values ('weird')`).rejects.toThrow(/etl_runs_status_check/);
  });
});
