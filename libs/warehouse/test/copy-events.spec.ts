// copyEvents against a real PostgreSQL: 50k generated events with hostile strings, duplicates
// within and across loads, exact round trip of every column and of the jsonb payload.
import type { CanonicalEvent } from '@clickstream/event-schema';
import { isDeepStrictEqual } from 'node:util';
import { copyEvents, eventRow, EventWithJson } from '../src';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '../src/testing';
import { generateEvents } from './support/events';

jest.setTimeout(60_000);

/** What a row of `events` reads back as through postgres.js. */
function storedRow(event: CanonicalEvent): Record<string, unknown> {
  const row = eventRow(event);
  return {
    ...row,
    event_time: new Date(row.event_time),
    received_at: new Date(row.received_at),
    order_amount: event.order ? event.order.amount.toFixed(2) : null,
  };
}

/** Events of `site` whose stored row differs from the expected event (first few), or that are missing / extra. */
async function differences(wh: TestWarehouse, expected: Map<string, CanonicalEvent>): Promise<unknown[]> {
  const rows = await wh.sql`select * from events`;
  const problems: unknown[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row.site_id}/${row.event_id}`;
    seen.add(key);
    const event = expected.get(key);
    const want = event && storedRow(event);
    if (!want || !isDeepStrictEqual({ ...row }, want)) problems.push({ key, got: { ...row }, want });
    if (problems.length >= 3) break;
  }
  for (const key of expected.keys()) if (!seen.has(key) && problems.length < 6) problems.push({ missing: key });
  return problems;
}

const keyOf = (e: CanonicalEvent) => `${e.site_id}/${e.event_id}`;

describe('copyEvents', () => {
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

  it('loads 50k events with hostile strings, dropping repeats within and across loads, and reads them back unchanged', async () => {
    const events = generateEvents(50_000, { seed: 7 });
    // Repeats within the load: later copies of 1,000 events with a different receive time and props.
    const repeats = events.slice(0, 1000).map((e) => ({ ...e, received_at: '2024-06-01T00:00:00.000Z', props: { repeat: true } }));
    const firstLoad = [...events.slice(0, 25_000), ...repeats, ...events.slice(25_000)];

    const started = process.hrtime.bigint();
    const first = await copyEvents(wh.sql, firstLoad);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.info(`copyEvents: ${firstLoad.length} events in ${seconds.toFixed(2)} s = ${Math.round(firstLoad.length / seconds)} rows/s (${pg.name})`);
    expect(first).toMatchObject({ received: 51_000, inserted: 50_000, duplicates: 1_000 });
    // the touched (site, UTC day) pairs are those of the events, computed here independently
    const days = new Set(events.map((e) => `${e.site_id} ${e.event_time.slice(0, 10)}`));
    expect(first.touched.map((t) => `${t.siteId} ${t.day}`).sort()).toEqual([...days].sort());

    const expected = new Map(events.map((e) => [keyOf(e), e]));
    expect(await differences(wh, expected)).toEqual([]);

    // Across loads: 5,000 already loaded (changed copies), 5,000 new, and 100 of those new twice.
    const fresh = generateEvents(5_000, { seed: 8 });
    const secondLoad = [...events.slice(40_000, 45_000).map((e) => ({ ...e, user_id: 'changed' })), ...fresh, ...fresh.slice(0, 100)];
    const second = await copyEvents(wh.sql, secondLoad);
    expect(second).toMatchObject({ received: 10_100, inserted: 5_000, duplicates: 5_100 });
    // only the rows added count as touched, not the repeats of rows already there
    const freshDays = new Set(fresh.map((e) => `${e.site_id} ${e.event_time.slice(0, 10)}`));
    expect(second.touched.map((t) => `${t.siteId} ${t.day}`).sort()).toEqual([...freshDays].sort());
    for (const e of fresh) expected.set(keyOf(e), e);
    expect(await differences(wh, expected)).toEqual([]);

    const [count] = await wh.sql`select count(*)::int as n, count(distinct site_id)::int as sites from events`;
    expect(count).toEqual({ n: 55_000, sites: 2 });
  });

  it('takes async iterables, and loads into the caller’s transaction: a rollback leaves nothing', async () => {
    const events = generateEvents(3_000, { seed: 9 });
    async function* stream() {
      for (const e of events) yield e;
    }
    await expect(
      wh.sql.begin(async (tx) => {
        expect(await copyEvents(tx, stream())).toMatchObject({ received: 3_000, inserted: 3_000, duplicates: 0 });
        // a second load in the same transaction reuses the staging table and sees the first
        expect(await copyEvents(tx, events.slice(0, 10))).toEqual({ received: 10, inserted: 0, duplicates: 10, touched: [] });
        const [inside] = await tx`select count(*)::int as n from events`;
        expect(inside.n).toBe(3_000);
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    const [after] = await wh.sql`select count(*)::int as n from events`;
    expect(after.n).toBe(0);
    expect(await copyEvents(wh.sql, [])).toEqual({ received: 0, inserted: 0, duplicates: 0, touched: [] });
  });

  /** Loads `events` in a transaction; says whether the staging table was made (the general way) or not (COPY straight into events). */
  async function loadWatchingTheWay(events: Iterable<CanonicalEvent> | AsyncIterable<CanonicalEvent>, options?: { directMaxBytes?: number }) {
    return wh.sql.begin(async (tx) => {
      const result = await copyEvents(tx, events, options);
      const [{ staged }] = await tx`select to_regclass('pg_temp.events_load_staging') is not null as staged`;
      return { result, staged: staged as boolean };
    });
  }

  it('copies a load without repeats straight into events, with the same result and touched days as the staged way', async () => {
    const events = generateEvents(4_000, { seed: 21 });
    const direct = await loadWatchingTheWay(events);
    expect(direct.staged).toBe(false);
    expect(await differences(wh, new Map(events.map((e) => [keyOf(e), e])))).toEqual([]);
    // the same load the general way, in a fresh warehouse, answers the same
    const other = await createTestWarehouse(pg.url, { max: 1 });
    try {
      const staged = await other.sql.begin((tx) => copyEvents(tx, events, { directMaxBytes: 0 }));
      expect(staged.touched.length).toBeGreaterThan(1);
      expect(direct.result).toEqual(staged);
      expect(direct.result).toMatchObject({ received: 4_000, inserted: 4_000, duplicates: 0 });
    } finally {
      await other.drop();
    }
  });

  it('gives way to the staged load when rows are already there, in the same transaction, adding only the new ones', async () => {
    const events = generateEvents(3_000, { seed: 22 });
    await copyEvents(wh.sql, events.slice(0, 1_000));
    // late in the input, so the direct COPY has sent rows before PostgreSQL refuses it
    const again = [...events.slice(1_000), ...events.slice(0, 1_000)];
    const { result, staged } = await loadWatchingTheWay(again);
    expect(staged).toBe(true);
    expect(result).toMatchObject({ received: 3_000, inserted: 2_000, duplicates: 1_000 });
    expect(await differences(wh, new Map(events.map((e) => [keyOf(e), e])))).toEqual([]);
  });

  it('keeps the first of a repeat within one load (seen while encoding: PostgreSQL is not asked first)', async () => {
    const events = generateEvents(2_000, { seed: 23 });
    const changed = { ...events[5], user_id: 'the second copy' } as CanonicalEvent;
    const { result, staged } = await loadWatchingTheWay([...events, changed]);
    expect(staged).toBe(true);
    expect(result).toMatchObject({ received: 2_001, inserted: 2_000, duplicates: 1 });
    const [row] = await wh.sql`select user_id from events where event_id = ${events[5].event_id}`;
    expect(row.user_id).toBe(events[5].user_id);
  });

  it('sends a load that outgrows directMaxBytes on through the staging table, losing no chunk of an async input', async () => {
    const events = generateEvents(6_000, { seed: 24 }); // a few MiB of COPY text: several chunks
    let read = 0;
    async function* stream() {
      for (const e of events) {
        read++;
        yield e;
      }
    }
    const { result, staged } = await loadWatchingTheWay(stream(), { directMaxBytes: 1_500_000 });
    expect(staged).toBe(true);
    expect(read).toBe(6_000);
    expect(result).toMatchObject({ received: 6_000, inserted: 6_000, duplicates: 0 });
    expect(await differences(wh, new Map(events.map((e) => [keyOf(e), e])))).toEqual([]);
  });

  it('stores NUL and unpaired surrogates as U+FFFD instead of failing the load', async () => {
    const [event] = generateEvents(1, { seed: 10 });
    const odd: CanonicalEvent = { ...event, user_id: 'nul\0user', button_id: 'half \uD83D surrogate', props: { ['key\0']: 'v\0', s: '\uDE00' } };
    expect(await copyEvents(wh.sql, [odd])).toMatchObject({ inserted: 1 });
    const [row] = await wh.sql`select user_id, button_id, payload from events`;
    expect(row.user_id).toBe('nul\uFFFDuser');
    expect(row.button_id).toBe('half \uFFFD surrogate');
    expect(row.payload.props).toEqual({ ['key\uFFFD']: 'v\uFFFD', s: '\uFFFD' });
  });

  it('stores an event given with its JSON text as that text, byte for byte, and the columns from the event', async () => {
    const events = generateEvents(300, { seed: 12 });
    // as foreign producers may write it: other key order, whitespace, escapes, tabs between tokens
    const texts = events.map((e, i) => (i % 3 === 0 ? JSON.stringify(e, null, '\t').replace(/\n/g, ' ') : i % 3 === 1 ? JSON.stringify(Object.fromEntries(Object.entries(e).reverse())) : JSON.stringify(e)));
    expect(await copyEvents(wh.sql, events.map((e, i) => new EventWithJson(e, texts[i])))).toMatchObject({ inserted: new Set(events.map(keyOf)).size });
    const rows = await wh.sql`select site_id, event_id, payload::text as text from events`;
    const byKey = new Map(events.map((e, i) => [keyOf(e), texts[i]]));
    expect(rows.filter((r) => byKey.get(`${r.site_id}/${r.event_id}`) !== r.text)).toEqual([]);
    expect(await differences(wh, new Map(events.map((e) => [keyOf(e), e])))).toEqual([]);
  });

  it('writes an event given with JSON text that jsonb would refuse (\\u0000, a lone surrogate) from the event instead', async () => {
    const [event] = generateEvents(1, { seed: 13 });
    const odd: CanonicalEvent = { ...event, props: { a: 'x\0y', b: '\uDE00' } };
    await copyEvents(wh.sql, [new EventWithJson(odd, JSON.stringify(odd))]);
    const [row] = await wh.sql`select payload::jsonb -> 'props' as props from events`;
    expect(row.props).toEqual({ a: 'x\uFFFDy', b: '\uFFFD' });
  });

  it('fails the whole load on an unloadable event, and gives the connection back (rolled back, not stuck)', async () => {
    const single = await createTestWarehouse(pg.url, { max: 1 }); // a leaked connection would hang the next query
    try {
      const events = generateEvents(2_000, { seed: 11 });
      const badTime = [...events.slice(0, 1500), { ...events[1500], event_time: 'yesterday-ish' }, ...events.slice(1501)];
      await expect(copyEvents(single.sql, badTime)).rejects.toThrow(/timestamp/);
      const tooLarge = [...events.slice(0, 10), { ...events[10], event_type: 'purchase' as const, order: { order_id: 'o', amount: 1e13, currency: 'EUR' } }];
      await expect(copyEvents(single.sql, tooLarge)).rejects.toThrow(/numeric field overflow/);
      const broken = [...events.slice(0, 1500), { ...events[1500], context: undefined } as unknown as CanonicalEvent];
      await expect(copyEvents(single.sql, broken)).rejects.toThrow();
      await expect(
        single.sql.begin(async (tx) => {
          await copyEvents(tx, events.slice(0, 5));
          await copyEvents(tx, badTime);
        }),
      ).rejects.toThrow(/timestamp/);
      const [row] = await single.sql`select count(*)::int as n from events`;
      expect(row.n).toBe(0);
      expect(await copyEvents(single.sql, events)).toMatchObject({ inserted: 2_000 });
    } finally {
      await single.drop();
    }
  });
});
