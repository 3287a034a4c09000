// breakdown and revenue on whole UTC hours without filters read hour-grain rollups
// (event_dimension_hourly, dimension_user_hours, session_dimension_hourly; revenue_daily) and the
// products model instead of events, sessions and orders: compared with the in-memory reference
// (support/reference-queries.ts) on both paths, then proven to answer from the rollups by deleting
// the raw rows they replace — whole-hour answers stay, other ranges' and filtered ones' go.
import type { CanonicalEvent } from '@clickstream/event-schema';
import { BREAKDOWN_DIMENSIONS, breakdown, copyEvents, rangeFromDates, rebuildModels, revenue, type MetricRange } from '../src';
import { onWholeHours, resolveRange } from '../src/queries/range';
import { wholeHourOffsets } from '../src/queries/time-zone';
import { createTestWarehouse, generateSessions, startTestPostgres, type TestPostgres, type TestWarehouse } from '../src/testing';
import { ReferenceQueries } from './support/reference-queries';

jest.setTimeout(60_000);

// 2026-03-06 … 09: across New York's DST change on 2026-03-08 (07:00 UTC)
const dataset = generateSessions({ seed: 11, start: '2026-03-06', days: 4 });
const rollupSite = rollupSiteEvents();
const events = [...dataset, ...rollupSite];

/** Whole UTC hours without filters: the rollups answer (revenue's days too when `days` is set). */
const aligned: Array<{ name: string; range: MetricRange; days: boolean }> = [
  { name: 'UTC dates', range: { site: 'site_a', ...rangeFromDates('2026-03-05', '2026-03-10', 'UTC') }, days: true },
  { name: 'UTC dates, bots included', range: { site: 'site_b', ...rangeFromDates('2026-03-05', '2026-03-10', 'UTC'), bots: true }, days: true },
  { name: 'America/New_York dates across the DST change', range: { site: 'site_a', ...rangeFromDates('2026-03-07', '2026-03-09', 'America/New_York') }, days: true },
  {
    name: 'America/New_York dates across the DST change, bots included',
    range: { site: 'site_b', ...rangeFromDates('2026-03-08', '2026-03-09', 'America/New_York'), bots: true },
    days: true,
  },
  // whole UTC hours, but Kolkata's days start at :30: revenue's days come from the orders
  { name: 'Asia/Kolkata, datetimes on whole UTC hours', range: { site: 'site_b', ...rangeFromDates('2026-03-06T05:00Z', '2026-03-09T13:00Z', 'Asia/Kolkata') }, days: false },
  { name: 'the rollup site', range: { site: 'rollup', ...rangeFromDates('2026-03-07', '2026-03-07') }, days: true },
  { name: 'the rollup site, bots included', range: { site: 'rollup', ...rangeFromDates('2026-03-07', '2026-03-07'), bots: true }, days: true },
];

/** Ranges the rollups cannot answer: not on whole UTC hours, or filtered. */
const raw: Array<{ name: string; range: MetricRange }> = [
  { name: 'UTC datetimes off the hour', range: { site: 'site_a', ...rangeFromDates('2026-03-06T00:30Z', '2026-03-09T12:00Z', 'UTC') } },
  { name: 'America/New_York datetimes off the hour, bots included', range: { site: 'site_b', ...rangeFromDates('2026-03-07T20:15', '2026-03-08T11:30', 'America/New_York'), bots: true } },
  { name: 'UTC dates, a country', range: { site: 'site_a', ...rangeFromDates('2026-03-05', '2026-03-10', 'UTC'), filters: { country: 'DE' } } },
  { name: 'UTC dates, an event type, bots included', range: { site: 'site_b', ...rangeFromDates('2026-03-05', '2026-03-10', 'UTC'), bots: true, filters: { eventType: 'click' } } },
  { name: 'the rollup site, a device', range: { site: 'rollup', ...rangeFromDates('2026-03-07', '2026-03-07'), bots: true, filters: { deviceType: 'desktop' } } },
];

async function loaded(): Promise<{ pg: TestPostgres; wh: TestWarehouse }> {
  const pg = await startTestPostgres();
  const wh = await createTestWarehouse(pg.url, { max: 4 });
  const { touched } = await copyEvents(wh.sql, events);
  await rebuildModels(wh.sql, { touched });
  return { pg, wh };
}

describe('breakdown and revenue, rollups and raw rows alike', () => {
  let pg: TestPostgres;
  let wh: TestWarehouse;
  const reference = new ReferenceQueries(events);

  beforeAll(async () => ({ pg, wh } = await loaded()));
  afterAll(async () => {
    await wh?.drop();
    await pg?.stop();
  });

  it('the ranges take the path they are named for, and hold data the comparisons can fail on', () => {
    for (const { range, days } of aligned) {
      const r = resolveRange(range);
      expect({ range, whole: onWholeHours(r), days: wholeHourOffsets(r.tz, r.from.getTime(), r.to.getTime()) }).toEqual({ range, whole: true, days });
      expect(reference.breakdown(range, 'country').length).toBeGreaterThan(1);
      expect(reference.revenue(range).orders).toBeGreaterThan(0);
    }
    for (const { range } of raw) {
      expect({ range, whole: onWholeHours(resolveRange(range)) }).toEqual({ range, whole: false });
      expect(reference.breakdown(range, 'device_type').length).toBeGreaterThan(0);
    }
    // bots add events, users and orders; a user with human and bot events is one user
    const utcBots = aligned[1].range;
    expect(reference.overview(utcBots).events).toBeGreaterThan(reference.overview({ ...utcBots, bots: false }).events);
    expect(reference.breakdown(aligned[6].range, 'country')).toContainEqual(expect.objectContaining({ value: 'DE', users: 1 }));
  });

  describe.each([...aligned, ...raw])('$name', ({ range }) => {
    it('breakdown: every dimension, whole lists and cut short', async () => {
      for (const dimension of BREAKDOWN_DIMENSIONS) {
        expect({ dimension, rows: await breakdown(wh.sql, range, dimension, { limit: 10_000 }) }).toEqual({ dimension, rows: reference.breakdown(range, dimension, 10_000) });
        expect({ dimension, rows: await breakdown(wh.sql, range, dimension) }).toEqual({ dimension, rows: reference.breakdown(range, dimension) });
        expect({ dimension, rows: await breakdown(wh.sql, range, dimension, { limit: 2 }) }).toEqual({ dimension, rows: reference.breakdown(range, dimension, 2) });
      }
    });
    it('revenue, whole lists and cut short', async () => {
      expect(await revenue(wh.sql, range, { limit: 10_000 })).toEqual(reference.revenue(range, 10_000));
      expect(await revenue(wh.sql, range, { limit: 1 })).toEqual(reference.revenue(range, 1));
    });
  });

  it('a product is named by its latest named order line, on either bot side', async () => {
    const [humans, withBots] = [aligned[5].range, aligned[6].range];
    const names = async (range: MetricRange) => Object.fromEntries((await revenue(wh.sql, range)).top_products.map((p) => [p.product_id, p.name]));
    expect(await names(humans)).toEqual({ p1: 'Mug', p2: null, p3: 'Plate', p4: 'Bowl' });
    // the bots' later line renames p1 and names p2; the humans' later line keeps p3 theirs
    expect(await names(withBots)).toEqual({ p1: 'Big Mug', p2: 'Cup', p3: 'Plate', p4: 'Bowl' });
  });
});

describe('breakdown and revenue answer from the rollups on whole UTC hours', () => {
  // After modelling, events, sessions and orders are deleted and every order line loses its name:
  // only what reads the rollups and the products model still sees them.
  let pg: TestPostgres;
  let wh: TestWarehouse;
  const reference = new ReferenceQueries(events);

  beforeAll(async () => {
    ({ pg, wh } = await loaded());
    await wh.sql`delete from events`;
    await wh.sql`delete from sessions`;
    await wh.sql`delete from orders`;
    await wh.sql`update order_items set name = null`;
  });
  afterAll(async () => {
    await wh?.drop();
    await pg?.stop();
  });

  it.each(aligned)('breakdown: $name', async ({ range }) => {
    for (const dimension of BREAKDOWN_DIMENSIONS) {
      expect(reference.breakdown(range, dimension).length).toBeGreaterThan(0);
      expect({ dimension, rows: await breakdown(wh.sql, range, dimension, { limit: 10_000 }) }).toEqual({ dimension, rows: reference.breakdown(range, dimension, 10_000) });
      expect({ dimension, rows: await breakdown(wh.sql, range, dimension, { limit: 3 }) }).toEqual({ dimension, rows: reference.breakdown(range, dimension, 3) });
    }
  });

  it.each(aligned)('revenue totals and days, and product names: $name', async ({ range, days }) => {
    const { orders, revenue: total, aov, rows, top_products, payment_methods } = await revenue(wh.sql, range);
    const expected = reference.revenue(range);
    expect({ orders, revenue: total, aov }).toEqual({ orders: expected.orders, revenue: expected.revenue, aov: expected.aov });
    // local days from revenue_daily only where the zone's days are whole UTC hours
    expect(rows).toEqual(days ? expected.rows : []);
    // payment methods have no rollup
    expect(payment_methods).toEqual([]);
    // products are still sold in order_items; humans' names come from the products model
    if (!range.bots) expect(top_products).toEqual(expected.top_products);
  });

  it('with bots, the order lines decide only between two different names', async () => {
    const { top_products } = await revenue(wh.sql, aligned[6].range);
    expect(Object.fromEntries(top_products.map((p) => [p.product_id, p.name]))).toEqual({ p1: null, p2: 'Cup', p3: null, p4: 'Bowl' });
  });

  it.each(raw)('other ranges and filters read the raw rows: $name', async ({ range }) => {
    for (const dimension of BREAKDOWN_DIMENSIONS) {
      expect({ dimension, rows: await breakdown(wh.sql, range, dimension) }).toEqual({ dimension, rows: [] });
    }
    expect(await revenue(wh.sql, range)).toMatchObject({ orders: 0, revenue: 0, aov: 0, rows: [], payment_methods: [] });
    expect(reference.revenue(range).orders).toBeGreaterThan(0);
  });
});

/**
 * Site `rollup`, 2026-03-07 (UTC): u1 (DE, desktop) views /a at 10:00 and buys at 10:05 (order r1:
 * p1 "Mug", p2 without a name, p4 "Bowl"); a bot session of u1 (DE) buys at 11:05 (r2: p1 "Big Mug",
 * p2 "Cup", p3 "Old Plate", p4 "Bowl"); u2 (no country, mobile) views /b and buys at 12:05 (r3:
 * p3 "Plate").
 */
function rollupSiteEvents(): CanonicalEvent[] {
  let n = 0;
  const event = (session: string, user: string, type: CanonicalEvent['event_type'], at: string, fields: Partial<CanonicalEvent>, context: Partial<CanonicalEvent['context']>): CanonicalEvent => ({
    schema_version: 1,
    event_id: `0190f0e0-0000-7000-8000-${(0x300 + ++n).toString(16).padStart(12, '0')}`,
    event_type: type,
    site_id: 'rollup',
    user_id: user,
    session_id: session,
    event_time: `2026-03-07T${at}Z`,
    received_at: `2026-03-07T${at}Z`,
    context: { is_bot: false, ...context },
    ...fields,
  });
  const item = (product_id: string, price: number, name?: string) => ({ product_id, price, quantity: 1, ...(name === undefined ? {} : { name }) });
  const order = (order_id: string, items: ReturnType<typeof item>[]) => ({
    order: { order_id, amount: items.reduce((s, i) => s + i.price, 0), currency: 'USD', payment_method: 'card', items },
  });
  const u1 = { country: 'DE', device_type: 'desktop', browser: 'Firefox' };
  const u1Bot = { country: 'DE', device_type: 'desktop', browser: 'HeadlessChrome', is_bot: true };
  const u2 = { device_type: 'mobile', browser: 'Safari' };
  return [
    event('r1', 'u1', 'page_view', '10:00:00.000', { page: { path: '/a' } }, u1),
    event('r1', 'u1', 'purchase', '10:05:00.000', { page: { path: '/a' }, ...order('r1', [item('p1', 5, 'Mug'), item('p2', 2), item('p4', 4, 'Bowl')]) }, u1),
    event('rb', 'u1', 'page_view', '11:00:00.000', { page: { path: '/a' } }, u1Bot),
    event('rb', 'u1', 'purchase', '11:05:00.000', { page: { path: '/a' }, ...order('r2', [item('p1', 6, 'Big Mug'), item('p2', 2, 'Cup'), item('p3', 3, 'Old Plate'), item('p4', 4, 'Bowl')]) }, u1Bot),
    event('r3', 'u2', 'page_view', '12:00:00.000', { page: { path: '/b' } }, u2),
    event('r3', 'u2', 'purchase', '12:05:00.000', { page: { path: '/b' }, ...order('r3', [item('p3', 3, 'Plate')]) }, u2),
  ];
}
