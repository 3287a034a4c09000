// siteDaysInRange and applyRetention against a real PostgreSQL: the site-days found are exactly the
// ones with events, and retention counts (dry run) and then deletes only what is older than the cutoff.
import { applyRetention, copyEvents, rebuildModels, RETENTION_TABLES, siteDaysInRange } from '../src';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '../src/testing';
import { generateEvents } from './support/events';

jest.setTimeout(60_000);

const DAY = 86_400_000;

describe('warehouse maintenance', () => {
  let pg: TestPostgres;
  let wh: TestWarehouse;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  beforeEach(async () => {
    wh = await createTestWarehouse(pg.url, { max: 2 });
  });
  afterEach(() => wh?.drop());
  afterAll(() => pg?.stop());

  it('siteDaysInRange lists the distinct (site, UTC day) pairs with events in the range, and only those', async () => {
    // site_a on May 1, 2 and 4; site_b on May 2 and 5 (late evening UTC, so a local-time slip would show).
    const at = (day: string, time = '23:59:59.000') => new Date(`${day}T${time}Z`);
    const batches = [
      generateEvents(30, { seed: 1, site: 'site_a', start: at('2024-05-01', '00:00:00.000') }),
      generateEvents(30, { seed: 2, site: 'site_a', start: at('2024-05-02', '12:00:00.000') }),
      generateEvents(1, { seed: 3, site: 'site_a', start: at('2024-05-04') }),
      generateEvents(1, { seed: 4, site: 'site_b', start: at('2024-05-02') }),
      generateEvents(1, { seed: 5, site: 'site_b', start: at('2024-05-05', '00:00:00.000') }),
    ];
    await copyEvents(wh.sql, batches.flat());

    expect(await siteDaysInRange(wh.sql, '2024-05-01', '2024-05-31')).toEqual([
      { siteId: 'site_a', day: '2024-05-01' },
      { siteId: 'site_a', day: '2024-05-02' },
      { siteId: 'site_a', day: '2024-05-04' },
      { siteId: 'site_b', day: '2024-05-02' },
      { siteId: 'site_b', day: '2024-05-05' },
    ]);
    expect(await siteDaysInRange(wh.sql, '2024-05-02', '2024-05-04')).toEqual([
      { siteId: 'site_a', day: '2024-05-02' },
      { siteId: 'site_a', day: '2024-05-04' },
      { siteId: 'site_b', day: '2024-05-02' },
    ]);
    expect(await siteDaysInRange(wh.sql, '2024-05-03', '2024-05-03')).toEqual([]);
    await expect(siteDaysInRange(wh.sql, '2024-05-04', '2024-05-01')).rejects.toThrow(/after/);
    await expect(siteDaysInRange(wh.sql, '2024-02-30', '2024-03-01')).rejects.toThrow(/YYYY-MM-DD/);
  });

  it('applyRetention counts in a dry run, then deletes exactly the rows older than the cutoff', async () => {
    const cutoff = new Date('2024-05-10T00:00:00Z');
    const old = generateEvents(200, { seed: 11, site: 'site_a', start: new Date(cutoff.getTime() - 3 * DAY) });
    const recent = generateEvents(200, { seed: 12, site: 'site_a', start: new Date(cutoff.getTime() + DAY) });
    const loaded = await copyEvents(wh.sql, [...old, ...recent]);
    await rebuildModels(wh.sql, { touched: loaded.touched });
    await wh.sql`insert into etl_objects (key, etag, rows, bytes) values
      ('raw/dt=2024-05-07/hour=10/t-p0-0-9.ndjson.gz', 'a', 10, 100),
      ('raw/dt=2024-05-10/hour=00/t-p0-10-19.ndjson.gz', 'b', 10, 100),
      ('elsewhere/not-a-raw-key', 'c', 0, 0)`;
    await wh.sql`insert into etl_rejects (object_key, line_number, reason, created_at) values
      ('k', 1, 'old', ${new Date(cutoff.getTime() - DAY)}), ('k', 2, 'new', ${new Date(cutoff.getTime() + DAY)})`;
    await wh.sql`insert into etl_runs (started_at, finished_at, status) values
      (${new Date(cutoff.getTime() - DAY)}, ${new Date(cutoff.getTime() - DAY)}, 'succeeded'),
      (${new Date(cutoff.getTime() - DAY)}, null, 'running'),
      (${new Date(cutoff.getTime() + DAY)}, null, 'running')`;

    const olderCount = async (table: string, column: string) =>
      Number((await wh.sql.unsafe<[{ n: string }]>(`select count(*) as n from ${table} where ${column} < $1`, [cutoff]))[0].n);
    const total = async (table: string) => Number((await wh.sql.unsafe<[{ n: string }]>(`select count(*) as n from ${table}`))[0].n);
    const timeColumns: Record<string, string> = {
      events: 'event_time',
      sessions: 'started_at',
      page_views: 'viewed_at',
      session_metrics_daily: 'hour',
      page_engagement_daily: 'hour',
      event_counts_hourly: 'hour',
      user_hours: 'hour',
      event_dimension_hourly: 'hour',
      dimension_user_hours: 'hour',
      session_dimension_hourly: 'hour',
      session_user_hours: 'hour',
      page_user_hours: 'hour',
      page_user_days: 'day',
      user_hour_sets: 'hour',
      session_user_hour_sets: 'hour',
      dimension_user_days: 'day',
      orders: 'ordered_at',
      order_items: 'ordered_at',
      users: 'last_seen',
    };
    const expectedOld: Record<string, number> = {};
    const before: Record<string, number> = {};
    for (const [table, column] of Object.entries(timeColumns)) {
      expectedOld[table] = await olderCount(table, column);
      before[table] = await total(table);
    }
    // The generated data spans both sides of the cutoff for the main tables.
    expect(expectedOld['events']).toBe(200);
    expect(expectedOld['sessions']).toBeGreaterThan(0);
    expect(before['sessions']).toBeGreaterThan(expectedOld['sessions']);

    const dry = await applyRetention(wh.sql, { cutoff, dryRun: true });
    expect(Object.keys(dry)).toEqual([...RETENTION_TABLES]);
    for (const [table, n] of Object.entries(expectedOld)) expect([table, dry[table]]).toEqual([table, n]);
    expect(dry['etl_objects']).toBe(1);
    expect(dry['etl_rejects']).toBe(1);
    expect(dry['etl_runs']).toBe(1);
    // Nothing went.
    for (const table of Object.keys(timeColumns)) expect(await total(table)).toBe(before[table]);

    const done = await applyRetention(wh.sql, { cutoff });
    expect(done).toEqual(dry);
    for (const [table, column] of Object.entries(timeColumns)) {
      expect([table, await olderCount(table, column)]).toEqual([table, 0]);
      expect([table, await total(table)]).toEqual([table, before[table] - expectedOld[table]]);
    }
    expect((await wh.sql`select key from etl_objects order by key`).map((r) => r['key'])).toEqual([
      'elsewhere/not-a-raw-key',
      'raw/dt=2024-05-10/hour=00/t-p0-10-19.ndjson.gz',
    ]);
    expect((await wh.sql`select reason from etl_rejects`).map((r) => r['reason'])).toEqual(['new']);
    expect(await total('etl_runs')).toBe(2);

    // A second pass has nothing left to do.
    expect(Object.values(await applyRetention(wh.sql, { cutoff })).every((n) => n === 0)).toBe(true);
  });
});
