// The metric queries (src/queries) against a real PostgreSQL, loaded and modelled the way the ETL
// does it, compared with a separate in-memory implementation of DESIGN's metric definitions
// (support/reference-queries.ts): UTC, a DST zone and a half-hour zone, date and datetime ranges,
// bots left out and included, the previous period, an empty range and limits; plus a small
// hand-computed site, the date/time-zone parsing (checked against PostgreSQL) and invalid input.
import type { CanonicalEvent } from '@clickstream/event-schema';
import {
  BREAKDOWN_DIMENSIONS,
  breakdown,
  clicks,
  copyEvents,
  eventTypeTotals,
  InvalidQueryError,
  overview,
  pages,
  rangeFromDates,
  rebuildModels,
  revenue,
  scrollDepth,
  sessionsDaily,
  timeseries,
  TIMESERIES_INTERVALS,
  TIMESERIES_METRICS,
  type MetricRange,
} from '../src';
import { withRangeErrors } from '../src/queries/range';
import { wholeHourOffsets } from '../src/queries/time-zone';
import { createTestWarehouse, generateSessions, startTestPostgres, type TestPostgres, type TestWarehouse } from '../src/testing';
import { ReferenceQueries } from './support/reference-queries';

// loading and modelling in beforeAll takes a few seconds, more on a busy database
jest.setTimeout(60_000);

// 2026-03-06 … 2026-03-09 UTC: America/New_York moves its clocks forward on 2026-03-08 at 07:00 UTC.
const dataset = generateSessions({ seed: 11, start: '2026-03-06', days: 4 });
const handmade = handmadeSite();

interface Scenario {
  name: string;
  range: MetricRange;
}

const scenarios: Scenario[] = [
  { name: 'UTC, dates covering the dataset', range: { site: 'site_a', ...rangeFromDates('2026-03-05', '2026-03-10', 'UTC') } },
  { name: 'UTC, dates covering the dataset, bots included', range: { site: 'site_b', ...rangeFromDates('2026-03-05', '2026-03-10', 'UTC'), bots: true } },
  { name: 'America/New_York, dates across the DST change', range: { site: 'site_a', ...rangeFromDates('2026-03-08', '2026-03-09', 'America/New_York') } },
  {
    name: 'America/New_York, local datetimes across the DST change, bots included',
    range: { site: 'site_b', ...rangeFromDates('2026-03-07T20:15', '2026-03-08T11:30', 'America/New_York'), bots: true },
  },
  { name: 'Asia/Kolkata, dates', range: { site: 'site_b', ...rangeFromDates('2026-03-07', '2026-03-08', 'Asia/Kolkata') } },
  {
    name: 'Asia/Kolkata, datetimes with Z and an offset',
    range: { site: 'site_a', ...rangeFromDates('2026-03-06T21:07:30Z', '2026-03-09T09:15:00.500+01:00', 'Asia/Kolkata') },
  },
  // whole UTC hours (event counts and users from the hour-grain tables), in a zone whose hours are not
  { name: 'Asia/Kolkata, datetimes on whole UTC hours', range: { site: 'site_a', ...rangeFromDates('2026-03-06T05:00Z', '2026-03-09T13:00Z', 'Asia/Kolkata') } },
  {
    name: 'America/New_York, local datetimes on whole hours across the DST change, bots included',
    range: { site: 'site_b', ...rangeFromDates('2026-03-07T22:00', '2026-03-08T09:00', 'America/New_York'), bots: true },
  },
  { name: 'a range without data', range: { site: 'site_a', ...rangeFromDates('2020-01-01', '2020-01-02', 'America/New_York') } },
];

describe('metric queries', () => {
  let pg: TestPostgres;
  let wh: TestWarehouse;
  const reference = new ReferenceQueries([...dataset, ...handmade]);

  beforeAll(async () => {
    pg = await startTestPostgres();
    wh = await createTestWarehouse(pg.url, { max: 4 });
    // as the ETL does it: load, then rebuild the days the load touched
    const { touched } = await copyEvents(wh.sql, [...dataset, ...handmade]);
    await rebuildModels(wh.sql, { touched });
  });
  afterAll(async () => {
    await wh?.drop();
    await pg?.stop();
  });

  it('the scenarios hold data the comparisons can fail on', () => {
    const [utc, utcBots, newYork, newYorkTimes, kolkata, kolkataTimes] = scenarios.map((s) => s.range);
    for (const range of [utc, utcBots, newYork, kolkata, kolkataTimes]) {
      const o = reference.overview(range);
      expect(o.sessions).toBeGreaterThan(10);
      expect(o.bounce_rate).toBeGreaterThan(0);
      expect(reference.pages(range).length).toBeGreaterThan(4);
      expect(reference.pages(range).some((p) => p.avg_time_seconds === null || p.path === '')).toBe(true);
      expect(reference.clicks(range).length).toBeGreaterThan(5);
      expect(reference.revenue(range).orders).toBeGreaterThan(0);
      expect(reference.scrollDepth(range).length).toBeGreaterThan(3);
    }
    expect(reference.overview(newYorkTimes).events).toBeGreaterThan(20);
    // bots really are there to leave out
    expect(reference.overview(utcBots).events).toBeGreaterThan(reference.overview({ ...utcBots, bots: false }).events);
    expect(reference.overview(newYorkTimes).events).toBeGreaterThan(reference.overview({ ...newYorkTimes, bots: false }).events);
    // the previous period of the New York range has data of its own
    expect(reference.overview(newYork).previous.sessions).toBeGreaterThan(10);
    // the 23-hour day, and Kolkata's hours starting at :30 UTC
    expect(reference.sessionsDaily(newYork).map((d) => d.day)).toEqual(['2026-03-08', '2026-03-09']);
    expect(reference.timeseries(kolkata, 'events', 'hour')[0].t).toMatch(/:30:00\.000Z$/);
  });

  describe.each(scenarios)('$name', ({ range }) => {
    it('overview, with the previous period', async () => {
      expect(await overview(wh.sql, range)).toEqual(reference.overview(range));
    });
    it('pages', async () => {
      expect(await pages(wh.sql, range)).toEqual(reference.pages(range));
    });
    it('clicks', async () => {
      expect(await clicks(wh.sql, range)).toEqual(reference.clicks(range));
    });
    it('sessionsDaily', async () => {
      expect(await sessionsDaily(wh.sql, range)).toEqual(reference.sessionsDaily(range));
    });
    it('eventTypeTotals', async () => {
      expect(await eventTypeTotals(wh.sql, range)).toEqual(reference.eventTypeTotals(range));
    });
    it('timeseries: every metric at every interval', async () => {
      for (const metric of TIMESERIES_METRICS) {
        for (const interval of TIMESERIES_INTERVALS) {
          const rows = await timeseries(wh.sql, range, { metric, interval });
          expect({ metric, interval, rows }).toEqual({ metric, interval, rows: reference.timeseries(range, metric, interval) });
        }
      }
    });
    it('revenue', async () => {
      expect(await revenue(wh.sql, range)).toEqual(reference.revenue(range));
    });
    it('scrollDepth', async () => {
      expect(await scrollDepth(wh.sql, range)).toEqual(reference.scrollDepth(range));
    });
    it('breakdown: every dimension', async () => {
      for (const dimension of BREAKDOWN_DIMENSIONS) {
        expect({ dimension, rows: await breakdown(wh.sql, range, dimension) }).toEqual({ dimension, rows: reference.breakdown(range, dimension) });
      }
    });
  });

  it('the previous period is the same-length range just before, as if asked for directly', async () => {
    const range = scenarios[2].range; // two New York days: 47 hours
    const { previous } = await overview(wh.sql, range);
    const before = await overview(wh.sql, { ...range, from: new Date(range.from.getTime() - 47 * 3_600_000), to: range.from });
    expect(previous).toEqual({ ...before, previous: undefined });
    expect(previous.events).toBeGreaterThan(0);
  });

  it('an empty range gives zeros and empty lists, never null or NaN', async () => {
    const range = scenarios[scenarios.length - 1].range;
    const zeros = { events: 0, page_views: 0, users: 0, sessions: 0, avg_session_seconds: 0, bounce_rate: 0, revenue: 0 };
    expect(await overview(wh.sql, range)).toEqual({ ...zeros, previous: zeros });
    expect(await revenue(wh.sql, range)).toEqual({ orders: 0, revenue: 0, aov: 0, rows: [], top_products: [], payment_methods: [] });
    expect(await pages(wh.sql, range)).toEqual([]);
    expect(await sessionsDaily(wh.sql, range)).toEqual([]);
    expect(await timeseries(wh.sql, range, { metric: 'revenue', interval: 'hour' })).toEqual([]);
    // a zero-length range, and a site nobody has heard of
    const instant = new Date('2026-03-07T12:00:00Z');
    expect(await overview(wh.sql, { site: 'site_a', from: instant, to: instant })).toEqual({ ...zeros, previous: zeros });
    expect(await overview(wh.sql, { ...scenarios[0].range, site: 'nobody' })).toEqual({ ...zeros, previous: zeros });
  });

  it('limit keeps the first rows of each list', async () => {
    const range = scenarios[0].range;
    const limited = {
      pages: await pages(wh.sql, range, { limit: 3 }),
      clicks: await clicks(wh.sql, range, { limit: 4 }),
      scroll: await scrollDepth(wh.sql, range, { limit: 2 }),
      browsers: await breakdown(wh.sql, range, 'browser', { limit: 2 }),
      types: await eventTypeTotals(wh.sql, range, { limit: 2 }),
      revenue: await revenue(wh.sql, range, { limit: 1 }),
    };
    expect(limited).toEqual({
      pages: reference.pages(range).slice(0, 3),
      clicks: reference.clicks(range).slice(0, 4),
      scroll: reference.scrollDepth(range).slice(0, 2),
      browsers: reference.breakdown(range, 'browser').slice(0, 2),
      types: reference.eventTypeTotals(range).slice(0, 2),
      revenue: reference.revenue(range, 1),
    });
    expect([limited.pages.length, limited.clicks.length, limited.scroll.length, limited.browsers.length, limited.types.length]).toEqual([3, 4, 2, 2, 2]);
    expect([limited.revenue.top_products.length, limited.revenue.payment_methods.length]).toEqual([1, 1]);
  });

  it('a hand-computed site gives the figures the definitions say', async () => {
    const day = { site: 'handmade', ...rangeFromDates('2026-03-07', '2026-03-07') };
    expect(await overview(wh.sql, day)).toEqual({
      // u1's session: 8 events over 60 s with two page views; u2's: one page view (a bounce) and one
      // click (no page view: not a bounce), 0 s each; u3's page_close, whose session started the day
      // before, counts as an event and a user but not as a session; the bot's session is left out
      events: 11,
      page_views: 3,
      users: 3,
      sessions: 3,
      avg_session_seconds: 20,
      bounce_rate: 33.33,
      revenue: 10.5,
      // the day before: u3's session, one page view at 23:59 and the page_close 90 s later
      previous: { events: 1, page_views: 1, users: 1, sessions: 1, avg_session_seconds: 90, bounce_rate: 100, revenue: 0 },
    });
    expect(await overview(wh.sql, { ...day, bots: true })).toMatchObject({ events: 12, users: 3, sessions: 4, avg_session_seconds: 15, bounce_rate: 50 });
    expect(await pages(wh.sql, day)).toEqual([
      // /a: 10.25 s to the next page view (u2's view has no end); deepest scroll 70.6 → 71
      { path: '/a', page_views: 2, unique_users: 2, avg_time_seconds: 10.25, avg_scroll_depth: 71, exits: 1 },
      // /b: 15 s to the page_close
      { path: '/b', page_views: 1, unique_users: 1, avg_time_seconds: 15, avg_scroll_depth: null, exits: 1 },
    ]);
    expect(await clicks(wh.sql, day)).toEqual([
      { path: '/a', button_id: 'buy', clicks: 1, page_views: 2, ctr: 50 },
      { path: '/b', button_id: '', clicks: 1, page_views: 1, ctr: 100 },
      // a click on a path nobody viewed in the range: no rate rather than a made-up one
      { path: '/c', button_id: 'x', clicks: 1, page_views: 0, ctr: null },
    ]);
    expect(await sessionsDaily(wh.sql, day)).toEqual([{ day: '2026-03-07', sessions: 3, users: 2, avg_duration_seconds: 20, avg_page_views: 1, bounce_rate: 33.33 }]);
    expect(await revenue(wh.sql, day)).toEqual({
      orders: 1,
      revenue: 10.5,
      aov: 10.5,
      rows: [{ day: '2026-03-07', orders: 1, revenue: 10.5 }],
      top_products: [
        { product_id: 'p1', name: 'Pen', quantity: 3, revenue: 7.5 },
        { product_id: 'p2', name: null, quantity: 1, revenue: 3 },
      ],
      payment_methods: [{ payment_method: 'card', orders: 1, revenue: 10.5 }],
    });
    expect(await scrollDepth(wh.sql, day)).toEqual([
      { path: '/a', scroll_events: 2, avg_scroll_depth: 71, max_scroll_depth: 71, page_views_scrolled: 1, reached_25: 1, reached_50: 1, reached_75: 0, reached_100: 0 },
    ]);
    expect(await breakdown(wh.sql, day, 'country')).toEqual([
      { value: 'DE', events: 8, users: 1, sessions: 1 },
      // u2's two sessions (and their events) and u3's page_close, whose session started the day before
      { value: '(none)', events: 3, users: 1, sessions: 2 },
    ]);
    expect(await timeseries(wh.sql, day, { metric: 'events', interval: 'hour' })).toEqual([
      { t: '2026-03-07T00:00:00.000Z', value: 1 },
      { t: '2026-03-07T10:00:00.000Z', value: 8 },
      { t: '2026-03-07T11:00:00.000Z', value: 2 },
    ]);
    // in Kolkata (+05:30) local hours start at :30 UTC: 00:00:30Z is 05:30:30 local, 10:00Z 15:30, 11:30Z 17:00
    expect(await timeseries(wh.sql, { ...day, tz: 'Asia/Kolkata' }, { metric: 'events', interval: 'hour' })).toEqual([
      { t: '2026-03-06T23:30:00.000Z', value: 1 },
      { t: '2026-03-07T09:30:00.000Z', value: 8 },
      { t: '2026-03-07T10:30:00.000Z', value: 1 },
      { t: '2026-03-07T11:30:00.000Z', value: 1 },
    ]);
  });
});

describe('the hour-grain fast path', () => {
  // With the raw events deleted after modelling, only queries that read event_counts_hourly and
  // user_hours still see the events: whole UTC hours without filters do; other ranges do not.
  let pg: TestPostgres;
  let wh: TestWarehouse;
  const reference = new ReferenceQueries([...dataset, ...handmade]);

  beforeAll(async () => {
    pg = await startTestPostgres();
    wh = await createTestWarehouse(pg.url, { max: 2 });
    const { touched } = await copyEvents(wh.sql, [...dataset, ...handmade]);
    await rebuildModels(wh.sql, { touched });
    await wh.sql`delete from events`;
  });
  afterAll(async () => {
    await wh?.drop();
    await pg?.stop();
  });

  const aligned: MetricRange[] = [
    { site: 'site_a', ...rangeFromDates('2026-03-05', '2026-03-10', 'UTC') },
    { site: 'site_b', ...rangeFromDates('2026-03-08', '2026-03-09', 'America/New_York'), bots: true },
    // u1 has human and bot events that day: one user either way
    { site: 'handmade', ...rangeFromDates('2026-03-07', '2026-03-07'), bots: true },
  ];

  it.each(aligned.map((range) => ({ range, name: `${range.site} ${range.from.toISOString()} ${range.tz} bots=${range.bots ?? false}` })))(
    'whole UTC hours without filters answer from the hour-grain tables: $name',
    async ({ range }) => {
      expect(reference.overview(range).events).toBeGreaterThan(0);
      expect(await overview(wh.sql, range)).toEqual(reference.overview(range));
      expect(await eventTypeTotals(wh.sql, range)).toEqual(reference.eventTypeTotals(range));
      for (const metric of ['events', 'page_views', 'users'] as const) {
        for (const interval of ['hour', 'day'] as const) {
          const rows = await timeseries(wh.sql, range, { metric, interval });
          expect({ metric, interval, rows }).toEqual({ metric, interval, rows: reference.timeseries(range, metric, interval) });
        }
      }
      // minutes stay on the events
      expect(await timeseries(wh.sql, range, { metric: 'events', interval: 'minute' })).toEqual([]);
      expect(reference.clicks(range).length).toBeGreaterThan(0);
      expect(await clicks(wh.sql, range, { limit: 10_000 })).toEqual(reference.clicks(range, 10_000));
      expect(reference.scrollDepth(range).some((row) => row.scroll_events > 0)).toBe(true);
      expect(await scrollDepth(wh.sql, range, { limit: 10_000 })).toEqual(reference.scrollDepth(range, 10_000));
      expect(await pages(wh.sql, range, { limit: 10_000 })).toEqual(reference.pages(range, 10_000));
      expect(await pages(wh.sql, range, { limit: 2 })).toEqual(reference.pages(range, 2));
    },
  );

  it('other ranges, filters and zones with half-hour offsets read the events', async () => {
    const utc = aligned[0];
    const zero = { events: 0, page_views: 0, users: 0 };
    expect(await overview(wh.sql, { ...utc, from: new Date(utc.from.getTime() + 1) })).toMatchObject(zero);
    expect(await overview(wh.sql, { site: 'site_a', ...rangeFromDates('2026-03-06', '2026-03-08', 'Asia/Kolkata') })).toMatchObject(zero);
    expect(await overview(wh.sql, { ...utc, filters: { country: 'DE' } })).toMatchObject(zero);
    expect(await eventTypeTotals(wh.sql, { ...utc, filters: { deviceType: 'mobile' } })).toEqual([]);
    expect(await eventTypeTotals(wh.sql, { ...utc, to: new Date(utc.to.getTime() - 60_000) })).toEqual([]);
    // whole UTC hours, but Kolkata's hours and days start at :30
    for (const interval of ['hour', 'day'] as const) {
      expect(await timeseries(wh.sql, { ...utc, tz: 'Asia/Kolkata' }, { metric: 'users', interval })).toEqual([]);
    }
    expect(await timeseries(wh.sql, { ...utc, filters: { eventType: 'click' } }, { metric: 'events', interval: 'day' })).toEqual([]);
    expect(await clicks(wh.sql, { ...utc, from: new Date(utc.from.getTime() + 1) })).toEqual([]);
    expect(await clicks(wh.sql, { ...utc, filters: { deviceType: 'mobile' } })).toEqual([]);
    // scrollDepth's page-view figures come from the page_views model, its scroll events from events
    for (const range of [{ ...utc, to: new Date(utc.to.getTime() - 1) }, { ...utc, filters: { country: 'DE' } }]) {
      const rows = await scrollDepth(wh.sql, range);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => row.scroll_events === 0 && row.max_scroll_depth === null)).toBe(true);
    }
    // the session figures never read events, and still answer
    const shifted = { ...utc, from: new Date(utc.from.getTime() + 1) };
    expect((await overview(wh.sql, shifted)).sessions).toBe(reference.overview(shifted).sessions);
  });

  // last: it deletes the page_views model too
  it('pages adds up page_engagement_daily and page_user_hours on whole UTC hours, without page_views', async () => {
    const utc = aligned[0];
    await wh.sql`delete from page_views`;
    const rows = await pages(wh.sql, utc);
    expect(rows).toEqual(reference.pages(utc));
    expect(await pages(wh.sql, { ...utc, to: new Date(utc.to.getTime() + 1) })).toEqual([]);
    expect(await pages(wh.sql, { ...utc, filters: { deviceType: 'desktop' } })).toEqual([]);
  });
});

describe('rangeFromDates', () => {
  const iso = (r: { from: Date; to: Date }) => [r.from.toISOString(), r.to.toISOString()];

  it('reads dates as whole local days, `to` included', () => {
    expect(iso(rangeFromDates('2026-03-01', '2026-03-01'))).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z']);
    // the day the clocks go forward has 23 hours, the day they go back 25
    expect(iso(rangeFromDates('2026-03-08', '2026-03-08', 'America/New_York'))).toEqual(['2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
    expect(iso(rangeFromDates('2026-11-01', '2026-11-01', 'America/New_York'))).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
    expect(iso(rangeFromDates('2026-03-07', '2026-03-08', 'Asia/Kolkata'))).toEqual(['2026-03-06T18:30:00.000Z', '2026-03-08T18:30:00.000Z']);
    expect(iso(rangeFromDates('2026-12-31', '2026-12-31', 'Pacific/Chatham'))).toEqual(['2026-12-30T10:15:00.000Z', '2026-12-31T10:15:00.000Z']);
    // no local midnight on 2026-09-06 in Santiago (00:00 → 01:00): the day starts at the jump
    expect(rangeFromDates('2026-09-06', '2026-09-06', 'America/Santiago').from.toISOString()).toBe('2026-09-06T04:00:00.000Z');
    // midnight twice in Havana on 2025-11-02 (01:00 → 00:00): the day starts at the first
    expect(rangeFromDates('2025-11-02', '2025-11-02', 'America/Havana').from.toISOString()).toBe('2025-11-02T04:00:00.000Z');
  });

  it('reads datetimes as local time unless they carry an offset, `to` excluded', () => {
    expect(iso(rangeFromDates('2026-03-07T10:30', '2026-03-08T15:45:30.250', 'Asia/Kolkata'))).toEqual(['2026-03-07T05:00:00.000Z', '2026-03-08T10:15:30.250Z']);
    expect(iso(rangeFromDates('2026-03-07T10:30:00Z', '2026-03-08 15:45:00-02:30', 'Asia/Kolkata'))).toEqual(['2026-03-07T10:30:00.000Z', '2026-03-08T18:15:00.000Z']);
    expect(iso(rangeFromDates('2026-03-07', '2026-03-07T06:00:00+0100', 'UTC'))).toEqual(['2026-03-07T00:00:00.000Z', '2026-03-07T05:00:00.000Z']);
    // a local time the clocks skipped is the instant of the jump; one they showed twice, its first time
    expect(rangeFromDates('2026-03-08T02:30', '2026-03-09', 'America/New_York').from.toISOString()).toBe('2026-03-08T07:00:00.000Z');
    expect(rangeFromDates('2026-11-01T01:30', '2026-11-02', 'America/New_York').from.toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });

  it('finds the same local midnights as PostgreSQL, every day of 2026 in zones with odd offsets and midnight DST changes', async () => {
    const zones = ['UTC', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns', 'America/Santiago', 'Asia/Beirut', 'Africa/Cairo', 'Europe/Dublin'];
    const pg = await startTestPostgres();
    const { default: postgres } = await import('postgres');
    const sql = postgres(pg.url, { max: 1, onnotice: () => undefined });
    try {
      const rows = await sql<Array<{ zone: string; day: string; start: Date }>>`
        select z.zone, d::date::text as day, d::timestamp at time zone z.zone as start
        from unnest(${zones}::text[]) as z(zone), generate_series('2026-01-01'::date, '2026-12-31'::date, '1 day') as d`;
      // each day's start, and the end of the day before it
      const starts = new Map(rows.map((r) => [`${r.zone} ${r.day}`, r.start.getTime()]));
      const mismatches = rows.filter((r) => {
        const { from, to } = rangeFromDates(r.day, r.day, r.zone);
        const next = starts.get(`${r.zone} ${new Date(Date.parse(r.day) + 86_400_000).toISOString().slice(0, 10)}`);
        return from.getTime() !== r.start.getTime() || (next !== undefined && to.getTime() !== next);
      });
      expect({ days: rows.length, mismatches: mismatches.map((r) => `${r.zone} ${r.day}`) }).toEqual({ days: zones.length * 365, mismatches: [] });
    } finally {
      await sql.end();
      await pg.stop();
    }
  }, 30_000);

  it('knows which zones have whole-hour offsets over a range, DST changes included', () => {
    const whole = (tz: string, from: string, to: string) => wholeHourOffsets(tz, Date.parse(from), Date.parse(to));
    expect(whole('UTC', '2026-01-01T00:00Z', '2027-01-01T00:00Z')).toBe(true);
    expect(whole('America/New_York', '2026-01-01T00:00Z', '2027-01-01T00:00Z')).toBe(true);
    expect(whole('Europe/London', '2026-03-29T00:00Z', '2026-03-30T00:00Z')).toBe(true);
    expect(whole('Asia/Kolkata', '2026-03-01T00:00Z', '2026-03-01T01:00Z')).toBe(false);
    expect(whole('Asia/Kathmandu', '2026-03-01T00:00Z', '2026-03-02T00:00Z')).toBe(false);
    // Lord Howe: +11 in summer, +10:30 from 2026-04-05 02:00 local (15:00 UTC the day before)
    expect(whole('Australia/Lord_Howe', '2026-03-01T00:00Z', '2026-04-04T15:00Z')).toBe(true);
    expect(whole('Australia/Lord_Howe', '2026-03-01T00:00Z', '2026-04-04T16:00Z')).toBe(false);
  });

  it.each([
    ['Mars/Olympus_Mons', 'tz'],
    ['+05:30', 'tz'],
    ['', 'tz'],
    ['UTC; drop table events', 'tz'],
  ])('refuses the time zone %j', (tz, field) => {
    expect(() => rangeFromDates('2026-03-01', '2026-03-02', tz)).toThrow(expect.objectContaining({ name: 'InvalidQueryError', code: 'invalid_query', field }));
  });

  it.each([
    ['2026-02-30', '2026-03-02', 'from', /not a calendar date/],
    ['2026-13-01', '2026-03-02', 'from', /not a calendar date/],
    ['2026-3-1', '2026-03-02', 'from', /YYYY-MM-DD/],
    ['yesterday', '2026-03-02', 'from', /YYYY-MM-DD/],
    ['2026-03-01', '2026-03-01T24:00', 'to', /not a time of day/],
    ['2026-03-01', '2026-03-02T10:00+25:00', 'to', /offset/],
    ['2026-03-01', '2026-03-02T10:00:00 05:30', 'to', /YYYY-MM-DD/],
    ['2026-03-02', '2026-03-01', 'to', /must be after/],
    ['2026-03-01T10:00', '2026-03-01T10:00', 'to', /must be after/],
  ])('refuses from=%j to=%j', (from, to, field, message) => {
    let error: unknown;
    try {
      rangeFromDates(from, to, 'Europe/Berlin');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidQueryError);
    expect(error).toMatchObject({ field, message: expect.stringMatching(message) });
  });
});

describe('invalid query input', () => {
  // Refused before any SQL is sent: a client that cannot connect shows that nothing ran.
  const offline = (() => {
    throw new Error('no query should run');
  }) as unknown as Parameters<typeof overview>[0];
  const range: MetricRange = { site: 'site_a', from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') };

  it.each([
    ['a bad time zone', () => overview(offline, { ...range, tz: 'Nowhere/Town' }), 'tz'],
    ['an invalid Date', () => pages(offline, { ...range, from: new Date('nope') }), 'from'],
    ['to before from', () => clicks(offline, { ...range, to: new Date('2026-02-01T00:00:00Z') }), 'to'],
    ['an empty site', () => sessionsDaily(offline, { ...range, site: '' }), 'site'],
    ['a zero limit', () => pages(offline, range, { limit: 0 }), 'limit'],
    ['a fractional limit', () => revenue(offline, range, { limit: 1.5 }), 'limit'],
    ['a string limit', () => scrollDepth(offline, range, { limit: '10' as unknown as number }), 'limit'],
    ['an unknown metric', () => timeseries(offline, range, { metric: 'bounces' as never, interval: 'day' }), 'metric'],
    ['an unknown interval', () => timeseries(offline, range, { metric: 'events', interval: 'week' as never }), 'interval'],
    ['too many buckets', () => timeseries(offline, { ...range, to: new Date('2026-04-01T00:00:00Z') }, { metric: 'events', interval: 'minute' }), 'interval'],
    ['an unknown dimension', () => breakdown(offline, range, 'city; drop table events' as never), 'dimension'],
  ])('%s is an InvalidQueryError', async (_what, run, field) => {
    await expect(run()).rejects.toThrow(InvalidQueryError);
    await expect(run()).rejects.toMatchObject({ field, code: 'invalid_query' });
  });

  it('a time zone PostgreSQL does not know is an InvalidQueryError too', async () => {
    const pg = await startTestPostgres();
    const { default: postgres } = await import('postgres');
    const sql = postgres(pg.url, { max: 1, onnotice: () => undefined });
    try {
      const resolved = { ...range, tz: 'Atlantis/Capital', bots: false };
      await expect(withRangeErrors(resolved, () => sql`select now() at time zone ${resolved.tz}`)).rejects.toMatchObject({ name: 'InvalidQueryError', field: 'tz' });
      // other database errors pass through unchanged
      await expect(withRangeErrors(resolved, () => sql`select 1 / 0`)).rejects.toMatchObject({ code: '22012' });
    } finally {
      await sql.end();
      await pg.stop();
    }
  });
});

/**
 * A small site whose figures are worked out by hand in the test above (2026-03-07, UTC):
 * u1 (DE): /a 10:00:00, scrolls 40 and 70.6, click buy, /b 10:00:10.250, click (no button),
 * page_close 10:00:25.250, purchase 10:01:00 (order o1: 3 × p1 at 2.50 + 1 × p2 at 3.00 = 10.50, card);
 * u2: one page view of /a at 11:00 (a bounce, time unknown); u2 again: a click on /c at 11:30 in
 * another session (no page view there); u3: a page view of /d at 23:59 the day before, closed at
 * 00:00:30; and a bot session of u1 with one page view at 12:00.
 */
function handmadeSite(): CanonicalEvent[] {
  let n = 0;
  const event = (session: string, user: string, type: CanonicalEvent['event_type'], at: string, fields: Partial<CanonicalEvent> = {}, context: Partial<CanonicalEvent['context']> = {}): CanonicalEvent => ({
    schema_version: 1,
    event_id: `0190f0e0-0000-7000-8000-${(++n).toString(16).padStart(12, '0')}`,
    event_type: type,
    site_id: 'handmade',
    user_id: user,
    session_id: session,
    event_time: at.includes('T') ? at : `2026-03-07T${at}Z`,
    received_at: at.includes('T') ? at : `2026-03-07T${at}Z`,
    context: { is_bot: false, ...context },
    ...fields,
  });
  const page = (path: string) => ({ page: { path, url: `https://hand.example${path}` } });
  const de = { country: 'DE' };
  return [
    event('h1', 'u1', 'page_view', '10:00:00.000', page('/a'), de),
    event('h1', 'u1', 'scroll', '10:00:05.000', { ...page('/a'), scroll_depth: 40 }, de),
    event('h1', 'u1', 'scroll', '10:00:07.000', { ...page('/a'), scroll_depth: 70.6 }, de),
    event('h1', 'u1', 'click', '10:00:08.000', { ...page('/a'), button_id: 'buy' }, de),
    event('h1', 'u1', 'page_view', '10:00:10.250', page('/b'), de),
    event('h1', 'u1', 'click', '10:00:20.000', page('/b'), de),
    event('h1', 'u1', 'page_close', '10:00:25.250', page('/b'), de),
    event(
      'h1',
      'u1',
      'purchase',
      '10:01:00.000',
      {
        ...page('/b'),
        order: {
          order_id: 'o1',
          amount: 10.5,
          currency: 'USD',
          payment_method: 'card',
          items: [
            { product_id: 'p1', name: 'Pen', price: 2.5, quantity: 3 },
            { product_id: 'p2', price: 3, quantity: 1 },
          ],
        },
      },
      de,
    ),
    event('h2', 'u2', 'page_view', '11:00:00.000', page('/a')),
    event('h3', 'u2', 'click', '11:30:00.000', { ...page('/c'), button_id: 'x' }),
    event('h4', 'u3', 'page_view', '2026-03-06T23:59:00.000Z', page('/d')),
    event('h4', 'u3', 'page_close', '2026-03-07T00:00:30.000Z', page('/d')),
    event('hb', 'u1', 'page_view', '12:00:00.000', page('/a'), { is_bot: true }),
  ];
}
