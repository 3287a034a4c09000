// The model rebuild against a real PostgreSQL, compared with a separate in-memory implementation of
// the metric definitions (support/reference-models.ts): incremental loads, late events, duplicates,
// re-runs and concurrent rebuilds all end in the same tables.
import type { CanonicalEvent } from '@clickstream/event-schema';
import type { Sql } from 'postgres';
import { copyEvents, createWarehouse, rebuildModels, type SiteDay } from '../src';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '../src/testing';
import { randomSource } from './support/events';
import { canonicalRows, distinctEvents, MODEL_TABLES, referenceModels, type Models } from './support/reference-models';
import { generateSessions } from './support/sessions-dataset';

const FLOAT_COLUMNS = new Set(['duration_seconds', 'time_on_page_seconds']);
const NUMERIC_COLUMNS = new Set(['duration_seconds_sum', 'time_on_page_seconds_sum', 'amount', 'price', 'revenue', 'last_price', 'ctr', 'quantity', 'items_sold', 'scroll_depth_sum']);

/** The tables that name users by user_numbers.user_no. */
const USER_NUMBER_TABLES = new Set(['user_hours', 'dimension_user_hours', 'session_user_hours', 'page_user_hours', 'users']);

/** A table of user sets, each set read back as its members' user ids (an array), with its key columns. */
const userSetRows = (table: string, keys: string) => `
  select t.site_id, t.is_bot, ${keys},
         array(select n.user_id from generate_series(0, length(t.users) - 1) i
               join user_numbers n on n.site_id = t.site_id and n.user_no = i
               where get_bit(t.users, i) = 1) as users
  from ${table} t`;
const USER_SET_TABLES: Record<string, string> = {
  page_user_days: 't.day::text as day, t.path',
  dimension_user_days: 't.day::text as day, t.dimension, t.value',
  user_hour_sets: 't.hour',
  session_user_hour_sets: 't.hour',
};

/** Every model table, normalised: timestamps as ISO text, numerics as numbers, floats to 6 decimals. */
async function readModels(sql: Sql): Promise<Models> {
  const models: Models = {};
  for (const table of MODEL_TABLES) {
    // user numbers are internal: read back as the user ids they stand for
    const numbered = USER_NUMBER_TABLES.has(table);
    const rows = await sql.unsafe(
      USER_SET_TABLES[table]
        ? userSetRows(table, USER_SET_TABLES[table])
        : numbered
          ? `select t.*, n.user_id from ${table} t join user_numbers n using (site_id, user_no)`
          : `select * from ${table}`,
    );
    models[table] = rows.map((row) => {
      const out: Record<string, string | number | boolean | null> = {};
      for (const [k, v] of Object.entries(row)) {
        if (numbered && k === 'user_no') continue;
        if (Array.isArray(v)) out[k] = JSON.stringify([...(v as string[])].sort());
        else if (v instanceof Date) out[k] = v.toISOString();
        else if (v !== null && FLOAT_COLUMNS.has(k)) out[k] = Math.round(Number(v) * 1e6) / 1e6;
        else if (v !== null && NUMERIC_COLUMNS.has(k)) out[k] = Number(v);
        else out[k] = v as string | number | boolean | null;
      }
      return out;
    });
  }
  return models;
}

function expectSameModels(actual: Models, expected: Models): void {
  for (const table of MODEL_TABLES) {
    const a = canonicalRows(actual[table]);
    const e = canonicalRows(expected[table]);
    // a readable failure: the first rows that differ, per table
    const missing = e.filter((row) => !a.includes(row)).slice(0, 3);
    const extra = a.filter((row) => !e.includes(row)).slice(0, 3);
    expect({ table, count: a.length, missing, extra }).toEqual({ table, count: e.length, missing: [], extra: [] });
  }
}

function allDays(events: readonly CanonicalEvent[]): SiteDay[] {
  const keys = new Set(events.map((e) => `${e.site_id}|${e.event_time.slice(0, 10)}`));
  return [...keys].map((k) => {
    const [siteId, day] = k.split('|');
    return { siteId, day };
  });
}

/** Splits events into `parts` loads in a shuffled order (so a session arrives in pieces). */
function shuffledLoads(events: readonly CanonicalEvent[], parts: number, seed: number): CanonicalEvent[][] {
  const random = randomSource(seed);
  const loads: CanonicalEvent[][] = Array.from({ length: parts }, () => []);
  for (const e of events) loads[Math.floor(random() * parts)].push(e);
  return loads;
}

describe('rebuildModels', () => {
  let pg: TestPostgres;
  let wh: TestWarehouse;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  beforeEach(async () => {
    wh = await createTestWarehouse(pg.url, { max: 4 });
  });
  afterEach(() => wh?.drop());
  afterAll(() => pg?.stop());

  const dataset = generateSessions({ seed: 42 });

  it('the dataset holds the cases the definitions care about', () => {
    const reference = referenceModels(dataset);
    const sessions = reference.sessions;
    expect(sessions.filter((s) => s.is_bounce).length).toBeGreaterThan(10);
    expect(sessions.filter((s) => s.is_bot).length).toBeGreaterThan(5);
    expect(sessions.filter((s) => String(s.started_at).slice(0, 10) !== String(s.ended_at).slice(0, 10)).length).toBeGreaterThan(3);
    expect(reference.page_views.filter((p) => p.time_on_page_seconds === null).length).toBeGreaterThan(10);
    expect(reference.page_views.filter((p) => p.scroll_depth !== null).length).toBeGreaterThan(10);
    expect(reference.page_views.filter((p) => p.path === null).length).toBeGreaterThan(0);
    const purchases = dataset.filter((e) => e.event_type === 'purchase');
    expect(purchases.length - reference.orders.length).toBeGreaterThan(2); // orders sent twice
    const times = dataset.map((e) => `${e.session_id}|${e.event_time}`);
    expect(times.length - new Set(times).size).toBeGreaterThan(10); // timestamp ties within a session
    // sessions whose last page view is ended by a page_close and then a session_end (time on page ends at the first)
    const lastTwo = new Map<string, string[]>();
    for (const e of [...dataset].sort((a, b) => a.event_time.localeCompare(b.event_time))) {
      lastTwo.set(e.session_id, [...(lastTwo.get(e.session_id) ?? []), e.event_type].slice(-2));
    }
    expect([...lastTwo.values()].filter(([a, b]) => a === 'page_close' && b === 'session_end').length).toBeGreaterThan(5);
  });

  it('builds every model row as the reference computes it, load by load, with duplicates across loads', async () => {
    const loads = shuffledLoads(dataset, 3, 1);
    // 200 events again in the last load: loaded once, counted once
    loads[2].push(...dataset.slice(0, 200));
    for (const load of loads) {
      const { touched } = await copyEvents(wh.sql, load);
      await rebuildModels(wh.sql, { touched });
    }
    expectSameModels(await readModels(wh.sql), referenceModels(dataset));
  });

  it('loads arriving day by day: sessions crossing midnight update the day they started on', async () => {
    for (const day of ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04']) {
      const { touched } = await copyEvents(wh.sql, dataset.filter((e) => e.event_time.startsWith(day)));
      const result = await rebuildModels(wh.sql, { touched });
      // after the first day, sessions that began the evening before widen the rebuild to that day
      if (day !== '2026-03-01' && touched.length) expect(result.siteDays).toBeGreaterThan(touched.length);
    }
    expectSameModels(await readModels(wh.sql), referenceModels(dataset));
  });

  it('is idempotent: rebuilding again, or from empty tables, gives identical tables', async () => {
    await copyEvents(wh.sql, dataset);
    const steps: Array<{ milliseconds: number; statement: string }> = [];
    const logger = { info: () => undefined, warn: () => undefined, debug: (obj: object) => steps.push(obj as (typeof steps)[number]) };
    const result = await rebuildModels(wh.sql, { touched: allDays(dataset), logger });
    expect(result.sessions).toBe(referenceModels(dataset).sessions.length);
    // each statement's time is logged at debug level
    expect(steps.some((s) => s.statement.startsWith('insert into sessions') && s.milliseconds >= 0)).toBe(true);
    const first = await readModels(wh.sql);

    await rebuildModels(wh.sql, { touched: allDays(dataset) });
    expectSameModels(await readModels(wh.sql), first);

    for (const table of MODEL_TABLES) await wh.sql.unsafe(`truncate ${table}`);
    await rebuildModels(wh.sql, { touched: allDays(dataset) });
    expectSameModels(await readModels(wh.sql), first);
  });

  it('late events update the earlier day: a new first event moves a session into the previous day', async () => {
    // Day 1 and 2 first; then events for day 1 arrive "today" (received_at days later).
    const day2 = dataset.filter((e) => e.event_time < '2026-03-03');
    await copyEvents(wh.sql, day2);
    await rebuildModels(wh.sql, { touched: allDays(day2) });

    const crossing = referenceModels(day2).sessions.find((s) => String(s.started_at) >= '2026-03-02' && s.is_bot === false) as Record<string, unknown>;
    const template = day2.find((e) => e.session_id === crossing.session_id) as CanonicalEvent;
    const late: CanonicalEvent[] = [
      // a page view the evening before the session's first event: the session now starts on day 1
      { ...template, event_id: '0190f0e0-0000-7000-8000-00000000a001', event_type: 'page_view', event_time: '2026-03-01T23:59:58.000Z', received_at: '2026-03-05T10:00:00.000Z', page: { path: '/late', url: 'https://shop.example/late' } },
      // and a click in some other day-1 session
      { ...day2[0], event_id: '0190f0e0-0000-7000-8000-00000000a002', event_type: 'click', button_id: 'late-button', received_at: '2026-03-05T10:00:00.000Z' },
    ];
    const { touched } = await copyEvents(wh.sql, late);
    expect(touched.map((t) => t.day).sort()).toEqual(['2026-03-01', day2[0].event_time.slice(0, 10)].sort().filter((d, i, a) => a.indexOf(d) === i));
    await rebuildModels(wh.sql, { touched });
    const expected = referenceModels([...day2, ...late]);
    expectSameModels(await readModels(wh.sql), expected);
    const [moved] = await wh.sql`select started_at, entry_path from sessions where session_id = ${String(crossing.session_id)} and not is_bot`;
    expect({ started: moved.started_at.toISOString(), entry: moved.entry_path }).toEqual({ started: '2026-03-01T23:59:58.000Z', entry: '/late' });
  });

  it('a session with events on an untouched day between two touched days keeps them all', async () => {
    const template = dataset.find((e) => e.event_type === 'page_view' && !e.context.is_bot) as CanonicalEvent;
    const at = (n: number, time: string, path: string): CanonicalEvent => ({
      ...template,
      event_id: `0190f0e0-0000-7000-8000-00000000b00${n}`,
      session_id: 'three-day-session',
      event_time: time,
      received_at: time,
      page: { path, url: `https://shop.example${path}` },
    });
    const events = [...dataset, at(1, '2026-03-01T23:00:00.000Z', '/one'), at(2, '2026-03-02T12:00:00.000Z', '/two'), at(3, '2026-03-03T01:00:00.000Z', '/three')];
    await copyEvents(wh.sql, events);
    await rebuildModels(wh.sql, { touched: allDays(events) });
    const full = await readModels(wh.sql);
    expectSameModels(full, referenceModels(events));

    // Only the first and third day touched: the session is rebuilt from all three of its events.
    await wh.sql`delete from page_views where session_id = 'three-day-session'`;
    await wh.sql`delete from sessions where session_id = 'three-day-session'`;
    const site = template.site_id;
    await rebuildModels(wh.sql, { touched: [{ siteId: site, day: '2026-03-01' }, { siteId: site, day: '2026-03-03' }] });
    const [session] = await wh.sql`select events, page_views, entry_path, exit_path from sessions where session_id = 'three-day-session'`;
    expect(session).toEqual({ events: 3, page_views: 3, entry_path: '/one', exit_path: '/three' });
    expectSameModels(await readModels(wh.sql), full);
  });

  it('a session whose other events are its site\'s very first and very last keeps them, with only the middle day touched', async () => {
    // A site of its own: the session's events on the untouched days are the first and the last the
    // site has, the edges of the span outside which the rebuild does not look.
    const template = dataset.find((e) => e.event_type === 'page_view' && !e.context.is_bot) as CanonicalEvent;
    const at = (n: number, time: string, path: string): CanonicalEvent => ({
      ...template,
      site_id: 'edge-site',
      event_id: `0190f0e0-0000-7000-8000-00000000c00${n}`,
      session_id: 'edge-session',
      event_time: time,
      received_at: time,
      page: { path, url: `https://shop.example${path}` },
    });
    const events = [at(1, '2026-03-01T23:59:59.999Z', '/first'), at(2, '2026-03-02T12:00:00.000Z', '/middle'), at(3, '2026-03-03T00:00:00.000Z', '/last')];
    await copyEvents(wh.sql, events);
    await rebuildModels(wh.sql, { touched: [{ siteId: 'edge-site', day: '2026-03-02' }] });
    const [session] = await wh.sql`select events, page_views, entry_path, exit_path, started_at, ended_at from sessions where site_id = 'edge-site'`;
    expect(session).toEqual({
      events: 3,
      page_views: 3,
      entry_path: '/first',
      exit_path: '/last',
      started_at: new Date('2026-03-01T23:59:59.999Z'),
      ended_at: new Date('2026-03-03T00:00:00.000Z'),
    });
    const views = await wh.sql`select path from page_views where site_id = 'edge-site' order by viewed_at`;
    expect(views.map((v) => v.path)).toEqual(['/first', '/middle', '/last']);
  });

  it('two rebuilds at once (separate connections) wait for each other and leave the same tables', async () => {
    await copyEvents(wh.sql, dataset);
    const other = createWarehouse({ url: pg.url, schema: wh.schema, max: 2 });
    try {
      const touched = allDays(dataset);
      await Promise.all([rebuildModels(wh.sql, { touched }), rebuildModels(other.sql, { touched: touched.slice().reverse() })]);
    } finally {
      await other.close();
    }
    expectSameModels(await readModels(wh.sql), referenceModels(distinctEvents(dataset)));
  });

  it('does nothing for no touched days, and refuses a malformed day', async () => {
    expect(await rebuildModels(wh.sql, { touched: [] })).toEqual({ siteDays: 0, sessions: 0, pageViews: 0, orders: 0, milliseconds: 0 });
    await expect(rebuildModels(wh.sql, { touched: [{ siteId: 'a', day: '2026-3-1' }] })).rejects.toThrow(/YYYY-MM-DD/);
  });
});
