// The analyst API's funnel, retention, live summary and site list, and the event type, device and
// country filters of every metric query, against a real PostgreSQL loaded and modelled the way the
// ETL does it, compared with the in-memory implementation of the definitions
// (support/reference-queries.ts); plus small hand-computed sites for the edge cases (timestamp ties,
// steps out of order, sessions that end after the range, a cohort week with a DST change) and
// invalid input.
import { EVENT_TYPES, type CanonicalEvent } from '@clickstream/event-schema';
import { randomSource } from '@clickstream/runtime/testing';
import {
  applyMinuteCounts,
  BREAKDOWN_DIMENSIONS,
  breakdown,
  clicks,
  copyEvents,
  eventTypeTotals,
  funnel,
  InvalidQueryError,
  liveSummary,
  overview,
  pages,
  parseFunnelSteps,
  rangeFromDates,
  rebuildModels,
  retention,
  revenue,
  scrollDepth,
  sessionsDaily,
  sites,
  timeseries,
  TIMESERIES_INTERVALS,
  TIMESERIES_METRICS,
  type MetricFilters,
  type MetricRange,
  type MinuteCount,
} from '../src';
import { createTestWarehouse, generateSessions, startTestPostgres, type TestPostgres, type TestWarehouse } from '../src/testing';
import { ReferenceQueries, referenceLiveSummary } from './support/reference-queries';

jest.setTimeout(60_000);

// The queries.spec dataset (2026-03-06 … 09, across New York's DST change on 2026-03-08), eight weeks
// of users coming back (2026-02-02 … 03-29, across the US and EU DST changes), and hand-made sites.
const dataset = generateSessions({ seed: 11, start: '2026-03-06', days: 4 });
const cohortData = generateSessions({ seed: 23, start: '2026-02-02', days: 56, sites: ['ret_a', 'ret_b'], usersPerSite: 80 });
const edge = edgeSite();
const edgeRetention = edgeRetentionSite();
const NOW = new Date('2026-03-09T04:20:30.250Z'); // 00:20:30 in New York, on the day after its 23-hour day
const live = liveFixtures(NOW);

const ranges: Array<{ name: string; range: MetricRange }> = [
  { name: 'UTC dates', range: { site: 'site_a', ...rangeFromDates('2026-03-05', '2026-03-10', 'UTC') } },
  { name: 'UTC dates, bots included', range: { site: 'site_b', ...rangeFromDates('2026-03-05', '2026-03-10', 'UTC'), bots: true } },
  { name: 'America/New_York dates across the DST change', range: { site: 'site_a', ...rangeFromDates('2026-03-08', '2026-03-09', 'America/New_York') } },
  { name: 'Asia/Kolkata datetimes', range: { site: 'site_b', ...rangeFromDates('2026-03-06T21:07', '2026-03-08T09:15', 'Asia/Kolkata') } },
  { name: 'the hand-made site', range: { site: 'edge', ...rangeFromDates('2026-03-07', '2026-03-07') } },
];

const filterSets: MetricFilters[] = [
  { deviceType: 'mobile' },
  { country: 'DE' },
  { eventType: 'click' },
  { eventType: 'purchase', deviceType: 'desktop' },
  { eventType: 'page_view', deviceType: 'tablet', country: 'US' },
  { eventType: 'custom' },
];

const funnels = [
  'page_view,click,purchase',
  'page_view:/pricing,click:buy,purchase',
  // repeated steps need distinct events
  'page_view,page_view,page_view,page_view',
  'session_start,page_view:/,scroll,click:add_to_cart,page_view:/checkout,purchase,page_close,session_end',
  'page_view,scroll,click,page_view,scroll,click,purchase,page_close',
  'custom:video.play,click',
  // a first step nobody does, and a second one
  'click:never-pressed,page_view',
  'page_view,custom:never-sent',
];

describe('web queries', () => {
  let pg: TestPostgres;
  let wh: TestWarehouse;
  const reference = new ReferenceQueries([...dataset, ...cohortData, ...edge, ...edgeRetention]);

  beforeAll(async () => {
    pg = await startTestPostgres();
    wh = await createTestWarehouse(pg.url, { max: 4 });
    const { touched } = await copyEvents(wh.sql, [...dataset, ...cohortData, ...edge, ...edgeRetention]);
    await rebuildModels(wh.sql, { touched });
    await applyMinuteCounts(wh.sql, live.counts);
    await wh.sql`insert into etl_objects ${wh.sql(live.objects.map((o) => ({ key: o.key, etag: 'etag', bytes: o.bytes })))}`;
  });
  afterAll(async () => {
    await wh?.drop();
    await pg?.stop();
  });

  describe('filters', () => {
    it('the filtered scenarios hold data, and each filter changes what it should', () => {
      const base = ranges[0].range;
      const all = reference.overview(base);
      for (const filters of filterSets.slice(0, 5)) {
        const o = reference.overview({ ...base, filters });
        expect({ filters, sessions: o.sessions > 0 && o.sessions < all.sessions, events: o.events > 0 && o.events < all.events }).toEqual({ filters, sessions: true, events: true });
      }
      // device and country narrow page views and revenue; an event type leaves them alone
      expect(reference.overview({ ...base, filters: { deviceType: 'mobile' } }).page_views).toBeLessThan(all.page_views);
      expect(reference.overview({ ...base, filters: { country: 'DE' } }).revenue).toBeLessThan(all.revenue);
      expect(reference.overview({ ...base, filters: { eventType: 'click' } })).toMatchObject({ page_views: all.page_views, revenue: all.revenue });
      expect(reference.pages({ ...base, filters: { eventType: 'click' } })).toEqual(reference.pages(base));
      // sessions with a purchase are fewer than sessions
      expect(reference.sessionsDaily({ ...base, filters: { eventType: 'purchase' } }).length).toBeGreaterThan(0);
      expect(reference.eventTypeTotals({ ...base, filters: { eventType: 'click' } })).toEqual([expect.objectContaining({ event_type: 'click' })]);
      expect(reference.revenue({ ...base, filters: { deviceType: 'desktop' } }).top_products.length).toBeGreaterThan(0);
    });

    describe.each(ranges.flatMap(({ name, range }) => filterSets.map((filters) => ({ name: `${name}, ${JSON.stringify(filters)}`, range: { ...range, filters } }))))('$name', ({ range }) => {
      it('overview, pages, clicks, sessionsDaily, eventTypeTotals, revenue, scrollDepth', async () => {
        expect({
          overview: await overview(wh.sql, range),
          pages: await pages(wh.sql, range),
          clicks: await clicks(wh.sql, range),
          sessionsDaily: await sessionsDaily(wh.sql, range),
          eventTypeTotals: await eventTypeTotals(wh.sql, range),
          revenue: await revenue(wh.sql, range),
          scrollDepth: await scrollDepth(wh.sql, range),
        }).toEqual({
          overview: reference.overview(range),
          pages: reference.pages(range),
          clicks: reference.clicks(range),
          sessionsDaily: reference.sessionsDaily(range),
          eventTypeTotals: reference.eventTypeTotals(range),
          revenue: reference.revenue(range),
          scrollDepth: reference.scrollDepth(range),
        });
      });
      it('timeseries: every metric at every interval', async () => {
        for (const metric of TIMESERIES_METRICS) {
          for (const interval of TIMESERIES_INTERVALS) {
            const rows = await timeseries(wh.sql, range, { metric, interval });
            expect({ metric, interval, rows }).toEqual({ metric, interval, rows: reference.timeseries(range, metric, interval) });
          }
        }
      });
      it('breakdown: every dimension', async () => {
        for (const dimension of BREAKDOWN_DIMENSIONS) {
          expect({ dimension, rows: await breakdown(wh.sql, range, dimension) }).toEqual({ dimension, rows: reference.breakdown(range, dimension) });
        }
      });
      it('funnel and retention', async () => {
        const steps = parseFunnelSteps(funnels[0]);
        expect(await funnel(wh.sql, range, steps)).toEqual(reference.funnel(range, steps));
        expect(await retention(wh.sql, range, { weeks: 2 })).toEqual(reference.retention(range, 2));
      });
    });

    it('a device or country is the session’s (its first event’s), whatever each event says', async () => {
      // f1 starts on a mobile in DE, then its events say desktop and FR
      const day = { ...ranges[4].range, filters: { deviceType: 'mobile' } };
      // events by their own country; the session, and so its user, under the first event's
      expect(await breakdown(wh.sql, day, 'country')).toEqual([
        { value: 'FR', events: 3, users: 0, sessions: 0 },
        { value: 'DE', events: 1, users: 1, sessions: 1 },
      ]);
      expect(await overview(wh.sql, { ...day, filters: { deviceType: 'desktop' } })).toMatchObject({ events: 6, page_views: 3, users: 2, sessions: 3, revenue: 0 });
      expect(await overview(wh.sql, { ...day, filters: { country: 'FR' } })).toMatchObject({ events: 2, users: 1, sessions: 1 });
    });

    it('an event type counts its events, and the sessions with one at any time', async () => {
      const day = { ...ranges[4].range, filters: { eventType: 'purchase' } };
      // one purchase in the day (f4's is the next day), but f1 and f4 both have one; page views and revenue are not narrowed
      expect(await overview(wh.sql, day)).toMatchObject({ events: 1, users: 1, sessions: 2, page_views: 6, revenue: 20 });
      expect(await eventTypeTotals(wh.sql, day)).toEqual([{ event_type: 'purchase', events: 1 }]);
      expect(await eventTypeTotals(wh.sql, { ...day, filters: { eventType: 'session_start' } })).toEqual([]);
    });
  });

  describe('funnel', () => {
    it('the funnels hold sessions that get some steps but not all', () => {
      const rows = reference.funnel(ranges[0].range, parseFunnelSteps(funnels[0]));
      expect(rows[0].sessions).toBeGreaterThan(20);
      expect(rows[2].sessions).toBeGreaterThan(0);
      expect(rows[2].sessions).toBeLessThan(rows[1].sessions);
      expect(reference.funnel(ranges[0].range, parseFunnelSteps(funnels[1]))[1].sessions).toBeGreaterThan(0);
      // a repeated step is not satisfied by the same event twice
      const repeated = reference.funnel(ranges[0].range, parseFunnelSteps(funnels[2]));
      expect(repeated[3].sessions).toBeGreaterThan(0);
      expect(repeated[3].sessions).toBeLessThan(repeated[0].sessions);
      expect(reference.funnel(ranges[0].range, parseFunnelSteps(funnels[3]))[2].sessions).toBeGreaterThan(0);
      expect(reference.funnel(ranges[0].range, parseFunnelSteps(funnels[4]))[7].sessions).toBeGreaterThan(0);
    });

    describe.each(ranges)('$name', ({ range }) => {
      it.each(funnels)('%s', async (text) => {
        const steps = parseFunnelSteps(text);
        expect(await funnel(wh.sql, range, steps)).toEqual(reference.funnel(range, steps));
      });
    });

    it('a hand-computed day: order, timestamp ties, steps after the range, bots and filters', async () => {
      const day = ranges[4].range;
      const steps = parseFunnelSteps('page_view,click:buy,purchase');
      // f1, f2 (click before its page view), f3 (tie: page view received first), f3b (tie: same
      // received_at, the click's event_id first) and f4 (purchase the next day); f5 started the day before
      expect(await funnel(wh.sql, day, steps)).toEqual([
        { step: 1, label: 'page_view', sessions: 5, conversion_rate: 100, drop_off_rate: 0 },
        { step: 2, label: 'click:buy', sessions: 3, conversion_rate: 60, drop_off_rate: 40 },
        { step: 3, label: 'purchase', sessions: 2, conversion_rate: 40, drop_off_rate: 33.33 },
      ]);
      expect((await funnel(wh.sql, { ...day, bots: true }, steps)).map((r) => [r.sessions, r.conversion_rate, r.drop_off_rate])).toEqual([
        [6, 100, 0],
        [4, 66.67, 33.33],
        [3, 50, 25],
      ]);
      // f1 started on a mobile: the desktop sessions are f2, f3 and f3b
      expect((await funnel(wh.sql, { ...day, filters: { deviceType: 'desktop' } }, steps)).map((r) => [r.sessions, r.conversion_rate, r.drop_off_rate])).toEqual([
        [3, 100, 0],
        [1, 33.33, 66.67],
        [0, 0, 100],
      ]);
      expect((await funnel(wh.sql, { ...day, filters: { eventType: 'purchase' } }, steps)).map((r) => r.sessions)).toEqual([2, 2, 2]);
      expect((await funnel(wh.sql, day, parseFunnelSteps('page_view , page_view'))).map((r) => [r.label, r.sessions, r.conversion_rate, r.drop_off_rate])).toEqual([
        ['page_view', 5, 100, 0],
        ['page_view', 1, 20, 80],
      ]);
      // nobody reaches step 1: zeros, not NaN
      expect(await funnel(wh.sql, day, parseFunnelSteps('custom:nope,page_view'))).toEqual([
        { step: 1, label: 'custom:nope', sessions: 0, conversion_rate: 0, drop_off_rate: 0 },
        { step: 2, label: 'page_view', sessions: 0, conversion_rate: 0, drop_off_rate: 0 },
      ]);
    });
  });

  describe('funnel: steps of one type with and without a value', () => {
    // An event can then match several steps at once (a view of /pricing is both `page_view:/pricing`
    // and `page_view`), and must still serve only one of them.
    const mixed = [
      'page_view:/pricing,page_view,click:buy,click,purchase',
      'page_view,page_view:/pricing,page_view:/,click,click:buy',
      'click:buy,click,page_view:/checkout,page_view',
      'page_view:/,page_view:/,page_view,page_view',
    ];

    it('the mixed funnels have sessions that reach their last steps and sessions that do not', () => {
      for (const text of mixed) {
        const rows = reference.funnel(ranges[0].range, parseFunnelSteps(text));
        expect({ text, last: rows[rows.length - 1].sessions > 0, dropped: rows[rows.length - 1].sessions < rows[0].sessions }).toEqual({ text, last: true, dropped: true });
      }
    });

    describe.each(ranges.filter((r) => r.range.site !== 'edge'))('$name', ({ range }) => {
      it.each(mixed)('%s', async (text) => {
        const steps = parseFunnelSteps(text);
        expect(await funnel(wh.sql, range, steps)).toEqual(reference.funnel(range, steps));
      });
    });
  });

  describe('retention', () => {
    const cohortScenarios: Array<{ name: string; range: MetricRange; weeks: number }> = [
      { name: 'UTC, eight weeks', range: { site: 'ret_a', ...rangeFromDates('2026-02-02', '2026-03-29') }, weeks: 8 },
      { name: 'UTC, bots included, 26 weeks', range: { site: 'ret_b', ...rangeFromDates('2026-02-02', '2026-03-29'), bots: true }, weeks: 26 },
      { name: 'America/New_York, cohorts across the DST change', range: { site: 'ret_a', ...rangeFromDates('2026-02-23', '2026-03-15', 'America/New_York') }, weeks: 4 },
      { name: 'America/New_York, `to` in the middle of a week', range: { site: 'ret_b', ...rangeFromDates('2026-02-11', '2026-03-11T15:00', 'America/New_York') }, weeks: 8 },
      { name: 'Europe/London, dates across its DST change', range: { site: 'ret_a', ...rangeFromDates('2026-03-16', '2026-03-31', 'Europe/London') }, weeks: 3 },
      { name: 'Asia/Kolkata, one week', range: { site: 'ret_b', ...rangeFromDates('2026-02-10', '2026-03-20', 'Asia/Kolkata') }, weeks: 1 },
      { name: 'filtered by device', range: { site: 'ret_a', ...rangeFromDates('2026-02-02', '2026-03-29'), filters: { deviceType: 'mobile' } }, weeks: 8 },
      { name: 'filtered by country and event type', range: { site: 'ret_b', ...rangeFromDates('2026-02-02', '2026-03-29', 'America/New_York'), filters: { country: 'FR', eventType: 'click' } }, weeks: 6 },
      { name: 'the short dataset', range: ranges[2].range, weeks: 8 },
      { name: 'a range without data', range: { site: 'ret_a', ...rangeFromDates('2020-01-01', '2020-02-01') }, weeks: 8 },
    ];

    it('the cohorts have users who come back, and recent ones have shorter rows', () => {
      const rows = reference.retention(cohortScenarios[0].range, 8);
      expect(rows.length).toBe(8);
      expect(rows[0].retained.length).toBe(8);
      expect(rows[7].retained.length).toBe(1);
      expect(rows.some((r) => r.retained.slice(1).some((n) => n > 0 && n < r.users))).toBe(true);
      const midWeek = reference.retention(cohortScenarios[3].range, 8);
      expect(midWeek[midWeek.length - 1]).toMatchObject({ cohort: '2026-03-09', retained: [expect.any(Number)] });
      expect(midWeek[0].cohort).toBe('2026-02-09');
      // New York's weeks are not UTC's
      expect(reference.retention(cohortScenarios[2].range, 4)).not.toEqual(reference.retention({ ...cohortScenarios[2].range, tz: 'UTC' }, 4));
      expect(reference.retention(cohortScenarios[6].range, 8)).not.toEqual(reference.retention({ ...cohortScenarios[6].range, filters: undefined }, 8));
    });

    it.each(cohortScenarios)('$name', async ({ range, weeks }) => {
      expect(await retention(wh.sql, range, { weeks })).toEqual(reference.retention(range, weeks));
    });

    it('weeks defaults to 8', async () => {
      expect(await retention(wh.sql, cohortScenarios[0].range, {})).toEqual(reference.retention(cohortScenarios[0].range, 8));
    });

    it('hand-computed cohorts in New York across the DST change, and the same users in UTC', async () => {
      // u1 starts on Sunday 8 March 23:30 EDT (Monday 03:30 UTC), back on Monday; u2 on Monday 2 March
      // 00:30 EST, back on the 16th; u5 on Tuesday the 3rd, back Monday 9 March 00:30 EDT (04:30 UTC:
      // a week of 168 hours from 2 March 05:00 UTC would still be the first); u3 came first in
      // February; u4 on Saturday 21 March 23:59 EDT. The range ends at 23 March 00:00 EDT.
      const range = { site: 'edge_ret', ...rangeFromDates('2026-03-02', '2026-03-22', 'America/New_York') };
      expect(await retention(wh.sql, range, { weeks: 4 })).toEqual([
        { cohort: '2026-03-02', users: 3, retained: [3, 2, 1], rates: [100, 66.67, 33.33] },
        { cohort: '2026-03-16', users: 1, retained: [1], rates: [100] },
      ]);
      expect(await retention(wh.sql, { ...range, ...rangeFromDates('2026-03-02', '2026-03-22', 'UTC') }, { weeks: 4 })).toEqual([
        { cohort: '2026-03-02', users: 2, retained: [2, 1, 1], rates: [100, 50, 50] },
        { cohort: '2026-03-09', users: 1, retained: [1, 0], rates: [100, 0] },
        { cohort: '2026-03-16', users: 1, retained: [1], rates: [100] },
      ]);
    });
  });

  // retention reads users and session_user_hours when its window is whole UTC hours (see the
  // scenarios above); these ranges are not, in zones whose days are, so they read the sessions
  describe('retention off whole hours', () => {
    const offHours: Array<{ name: string; range: MetricRange; weeks: number }> = [
      { name: 'UTC, `to` at half past', range: { site: 'ret_a', ...rangeFromDates('2026-02-02', '2026-03-18T10:30', 'UTC') }, weeks: 8 },
      { name: 'America/New_York, bots included, `to` at a quarter past', range: { site: 'ret_b', ...rangeFromDates('2026-02-11', '2026-03-11T15:15', 'America/New_York'), bots: true }, weeks: 8 },
    ];
    it.each(offHours)('$name', async ({ range, weeks }) => {
      expect(reference.retention(range, weeks).length).toBeGreaterThan(1);
      expect(await retention(wh.sql, range, { weeks })).toEqual(reference.retention(range, weeks));
    });
  });

  describe('liveSummary', () => {
    const summaries = [
      { name: 'defaults (UTC, 60 minutes, 5 users, 30 days)', query: { site: 'live_a', now: NOW } },
      { name: 'America/New_York, just after local midnight', query: { site: 'live_a', now: NOW, tz: 'America/New_York', minutes: 15, topUsers: 3, days: 3 } },
      { name: 'Asia/Kolkata, two hours, a week', query: { site: 'live_b', now: NOW, tz: 'Asia/Kolkata', minutes: 120, topUsers: 10, days: 7 } },
      { name: 'Pacific/Chatham (+13:45), six hours later', query: { site: 'live_b', now: new Date(NOW.getTime() + 6 * 3_600_000 + 17_000), tz: 'Pacific/Chatham', days: 2 } },
      { name: 'a site without rollups', query: { site: 'nobody', now: NOW, days: 2 } },
      { name: 'long before any data', query: { site: 'live_a', now: new Date('2025-01-01T00:00:00Z') } },
    ];

    it('the fixtures have gaps, future minutes, other sites and keys that name no hour', () => {
      const s = referenceLiveSummary(live.counts, live.objects, summaries[0].query);
      expect(s.per_minute).toHaveLength(60);
      expect(s.per_minute.filter((m) => m.events === 0).length).toBeGreaterThanOrEqual(10);
      expect(s.per_minute.filter((m) => m.events > 0).length).toBeGreaterThan(20);
      expect(s.top_users_last_hour).toHaveLength(5);
      expect(s.by_type.length).toBeGreaterThan(4);
      expect(s.volume.length).toBe(30);
      expect(s.volume.every((d) => d.events > 0 && d.bytes > 0)).toBe(true);
      const ny = referenceLiveSummary(live.counts, live.objects, summaries[1].query);
      expect(ny.events_today).toBeLessThan(s.events_today);
      expect(ny.volume.map((d) => d.day)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
      // minutes stamped after now count today but are in neither the minute window nor the last hour
      expect(live.counts.some((c) => c.site_id === 'live_a' && c.minute > NOW)).toBe(true);
    });

    it.each(summaries)('$name', async ({ query }) => {
      expect(await liveSummary(wh.sql, query)).toEqual(referenceLiveSummary(live.counts, live.objects, query));
    });

    it('every minute of the window is there, the empty ones as 0', async () => {
      const { per_minute } = await liveSummary(wh.sql, { site: 'live_a', now: NOW, minutes: 25 });
      expect(per_minute.map((m) => m.minute)).toEqual(Array.from({ length: 25 }, (_, i) => new Date(Date.parse('2026-03-09T04:20:00Z') - (24 - i) * 60_000).toISOString()));
      // minutes 11 to 20 before now were left empty
      expect(per_minute.slice(4, 14).map((m) => m.events)).toEqual(new Array(10).fill(0));
      expect(per_minute[14].events).toBeGreaterThan(0);
    });
  });

  it('sites: every site with sessions or live rollups, sorted', async () => {
    const rows = await sites(wh.sql);
    expect(rows).toEqual(reference.sites(['live_a', 'live_b']));
    expect(rows.map((r) => r.site_id)).toEqual(['edge', 'edge_ret', 'live_a', 'live_b', 'ret_a', 'ret_b', 'site_a', 'site_b']);
  });
});

describe('parseFunnelSteps', () => {
  it('reads types and values, a value holding more colons, and trims each step', () => {
    expect(parseFunnelSteps(' page_view:/docs:intro , click:buy,purchase,custom:video.play,scroll:/a b ')).toEqual([
      { event_type: 'page_view', value: '/docs:intro', label: 'page_view:/docs:intro' },
      { event_type: 'click', value: 'buy', label: 'click:buy' },
      { event_type: 'purchase', label: 'purchase' },
      { event_type: 'custom', value: 'video.play', label: 'custom:video.play' },
      { event_type: 'scroll', value: '/a b', label: 'scroll:/a b' },
    ]);
    expect(parseFunnelSteps('session_start:/landing,session_end')).toEqual([
      { event_type: 'session_start', value: '/landing', label: 'session_start:/landing' },
      { event_type: 'session_end', label: 'session_end' },
    ]);
  });

  it.each([
    ['page_view', /2 to 8 steps, got 1/],
    [Array.from({ length: 9 }, () => 'click').join(','), /2 to 8 steps, got 9/],
    ['', /comma-separated/],
    ['page_view,,click', /step 2 is empty/],
    ['pageview,click', /step 1 \("pageview"\): "pageview" is not an event type; use one of page_view, page_close, click/],
    ['page_view,Click:buy', /step 2 .*"Click" is not an event type/],
    ['page_view,purchase:o-1', /step 2 \("purchase:o-1"\): a purchase step takes no value/],
    ['page_view:,click', /step 1 .*the value after ':' is empty/],
  ])('refuses %j', (text, message) => {
    expect(() => parseFunnelSteps(text)).toThrow(expect.objectContaining({ name: 'InvalidQueryError', field: 'steps', message: expect.stringMatching(message) }));
  });
});

describe('invalid input to the web queries', () => {
  // Refused before any SQL is sent: a client that cannot connect shows that nothing ran.
  const offline = (() => {
    throw new Error('no query should run');
  }) as unknown as Parameters<typeof overview>[0];
  const range: MetricRange = { site: 'site_a', from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') };
  const steps = parseFunnelSteps('page_view,click');

  it.each([
    ['an upper-case event type filter', () => overview(offline, { ...range, filters: { eventType: 'Click' } }), 'event_type'],
    ['a 33-letter event type filter', () => pages(offline, { ...range, filters: { eventType: 'a'.repeat(33) } }), 'event_type'],
    ['an empty event type filter', () => eventTypeTotals(offline, { ...range, filters: { eventType: '' } }), 'event_type'],
    ['a device filter with a semicolon', () => sessionsDaily(offline, { ...range, filters: { deviceType: "mobile'; drop table events" } }), 'device'],
    ['a device filter that is not a string', () => clicks(offline, { ...range, filters: { deviceType: 1 as unknown as string } }), 'device'],
    ['a 65-character country filter', () => revenue(offline, { ...range, filters: { country: 'x'.repeat(65) } }), 'country'],
    ['filters that are not an object', () => timeseries(offline, { ...range, filters: 'country=DE' as unknown as MetricFilters }, { metric: 'events', interval: 'day' }), 'filters'],
    ['a filtered funnel', () => funnel(offline, { ...range, filters: { country: 'D.E' } }, steps), 'country'],
    ['funnel steps not made by parseFunnelSteps', () => funnel(offline, range, [...steps, { event_type: 'signup' as never, label: 'signup' }]), 'steps'],
    ['one funnel step', () => funnel(offline, range, steps.slice(0, 1)), 'steps'],
    ['a value on a purchase step', () => funnel(offline, range, [...steps, { event_type: 'purchase', value: 'o-1', label: 'purchase:o-1' }]), 'steps'],
    ['a bad time zone for a funnel', () => funnel(offline, { ...range, tz: 'Mars/Base' }, steps), 'tz'],
    ['zero retention weeks', () => retention(offline, range, { weeks: 0 }), 'weeks'],
    ['27 retention weeks', () => retention(offline, range, { weeks: 27 }), 'weeks'],
    ['fractional retention weeks', () => retention(offline, range, { weeks: 1.5 }), 'weeks'],
    ['a filtered retention', () => retention(offline, { ...range, filters: { eventType: 'page-view' } }), 'event_type'],
    ['live: an empty site', () => liveSummary(offline, { site: '', now: NOW }), 'site'],
    ['live: an invalid now', () => liveSummary(offline, { site: 'a', now: new Date('never') }), 'now'],
    ['live: a bad time zone', () => liveSummary(offline, { site: 'a', now: NOW, tz: 'Europe/Atlantis' }), 'tz'],
    ['live: 0 minutes', () => liveSummary(offline, { site: 'a', now: NOW, minutes: 0 }), 'minutes'],
    ['live: 1441 minutes', () => liveSummary(offline, { site: 'a', now: NOW, minutes: 1441 }), 'minutes'],
    ['live: 101 top users', () => liveSummary(offline, { site: 'a', now: NOW, topUsers: 101 }), 'top_users'],
    ['live: 367 days', () => liveSummary(offline, { site: 'a', now: NOW, days: 367 }), 'days'],
  ])('%s is an InvalidQueryError', async (_what, run, field) => {
    await expect(run()).rejects.toThrow(InvalidQueryError);
    await expect(run()).rejects.toMatchObject({ field, code: 'invalid_query' });
  });

  it('accepts the filter values the patterns allow', async () => {
    // these reach the (offline) database: validation let them through
    await expect(overview(offline, { ...range, filters: { eventType: 'page_view', deviceType: 'Smart TV_2-x', country: 'DE' } })).rejects.toThrow('no query should run');
  });
});

/**
 * A hand-made site for 2026-03-07 (UTC), the figures worked out in the tests above:
 * f1 (u1): page view /a 10:00 on a mobile in DE, then — desktop, FR — click buy, page view /b and a
 * purchase (order e1, 20.00); f2 (u2, desktop FR): click buy, then page view /a; f3 (u3, desktop US):
 * page view /a and click buy at the same instant, the page view received first (the click's
 * event_id is the lower); f3b (u3): the same instant and received_at, the click's event_id the
 * lower; f4 (u4, tablet): page view /a and click buy at 20:00, purchase (e2, 5.00) the next day at
 * 01:00; f5 (u5): page view the day before, click buy in the day; f6: a bot's page view, click buy
 * and purchase (e3).
 */
function edgeSite(): CanonicalEvent[] {
  let n = 0;
  const event = (
    session: string,
    user: string,
    type: CanonicalEvent['event_type'],
    at: string,
    fields: Partial<CanonicalEvent> = {},
    context: Partial<CanonicalEvent['context']> = {},
    received = at,
    id = `0190f0e0-0000-7000-8000-${(0x100 + ++n).toString(16).padStart(12, '0')}`,
  ): CanonicalEvent => ({
    schema_version: 1,
    event_id: id,
    event_type: type,
    site_id: 'edge',
    user_id: user,
    session_id: session,
    event_time: at.includes('T') ? at : `2026-03-07T${at}Z`,
    received_at: received.includes('T') ? received : `2026-03-07T${received}Z`,
    context: { is_bot: false, ...context },
    ...fields,
  });
  const page = (path: string) => ({ page: { path, url: `https://edge.example${path}` } });
  const order = (order_id: string, amount: number) => ({ order: { order_id, amount, currency: 'USD', items: [{ product_id: 'p1', name: 'Mug', price: amount, quantity: 1 }] } });
  const mobileDE = { device_type: 'mobile', country: 'DE' };
  const desktopFR = { device_type: 'desktop', country: 'FR' };
  const desktopUS = { device_type: 'desktop', country: 'US' };
  return [
    event('f1', 'u1', 'page_view', '10:00:00.000', page('/a'), mobileDE),
    event('f1', 'u1', 'click', '10:00:05.000', { ...page('/a'), button_id: 'buy' }, desktopFR),
    event('f1', 'u1', 'page_view', '10:00:10.000', page('/b'), desktopFR),
    event('f1', 'u1', 'purchase', '10:01:00.000', { ...page('/b'), ...order('e1', 20) }, desktopFR),
    event('f2', 'u2', 'click', '11:00:00.000', { ...page('/a'), button_id: 'buy' }, desktopFR),
    event('f2', 'u2', 'page_view', '11:00:10.000', page('/a'), desktopFR),
    event('f3', 'u3', 'page_view', '12:00:00.000', page('/a'), desktopUS, '12:00:00.500', '0190f0e0-0000-7000-8000-00000000fff0'),
    event('f3', 'u3', 'click', '12:00:00.000', { ...page('/a'), button_id: 'buy' }, desktopUS, '12:00:00.600', '0190f0e0-0000-7000-8000-000000000002'),
    event('f3b', 'u3', 'page_view', '13:00:00.000', page('/a'), desktopUS, '13:00:00.100', '0190f0e0-0000-7000-8000-00000000ffff'),
    event('f3b', 'u3', 'click', '13:00:00.000', { ...page('/a'), button_id: 'buy' }, desktopUS, '13:00:00.100', '0190f0e0-0000-7000-8000-000000000001'),
    event('f4', 'u4', 'page_view', '20:00:00.000', page('/a'), { device_type: 'tablet' }),
    event('f4', 'u4', 'click', '20:01:00.000', { ...page('/a'), button_id: 'buy' }, { device_type: 'tablet' }),
    event('f4', 'u4', 'purchase', '2026-03-08T01:00:00.000Z', { ...page('/a'), ...order('e2', 5) }, { device_type: 'tablet' }),
    event('f5', 'u5', 'page_view', '2026-03-06T23:00:00.000Z', page('/a')),
    event('f5', 'u5', 'click', '09:00:00.000', { ...page('/a'), button_id: 'buy' }),
    event('f6', 'u6', 'page_view', '14:00:00.000', page('/a'), { is_bot: true }),
    event('f6', 'u6', 'click', '14:01:00.000', { ...page('/a'), button_id: 'buy' }, { is_bot: true }),
    event('f6', 'u6', 'purchase', '14:02:00.000', { ...page('/a'), ...order('e3', 7) }, { is_bot: true }),
  ];
}

/** Sessions of site edge_ret (one page view each), described in the retention test that uses them. */
function edgeRetentionSite(): CanonicalEvent[] {
  const sessions: Array<[string, string, string]> = [
    ['u1', 'r1a', '2026-03-09T03:30:00.000Z'],
    ['u1', 'r1b', '2026-03-09T16:00:00.000Z'],
    ['u2', 'r2a', '2026-03-02T05:30:00.000Z'],
    ['u2', 'r2b', '2026-03-16T15:00:00.000Z'],
    ['u3', 'r3a', '2026-02-25T12:00:00.000Z'],
    ['u3', 'r3b', '2026-03-03T12:00:00.000Z'],
    ['u4', 'r4a', '2026-03-22T03:59:00.000Z'],
    ['u5', 'r5a', '2026-03-03T15:00:00.000Z'],
    ['u5', 'r5b', '2026-03-09T04:30:00.000Z'],
  ];
  return sessions.map(([user, session, at], i) => ({
    schema_version: 1,
    event_id: `0190f0e0-0000-7000-8000-${(0x200 + i).toString(16).padStart(12, '0')}`,
    event_type: 'page_view',
    site_id: 'edge_ret',
    user_id: user,
    session_id: session,
    event_time: at,
    received_at: at,
    page: { path: '/' },
    context: { is_bot: false },
  }));
}

/**
 * Live rollups for live_a and live_b: the three days before `now` minute by minute with a third of
 * the minutes empty (and minutes 11–20 before now empty on purpose), a few minutes after now, one
 * row a day for 40 days before that; and the load manifest: objects for most UTC hours of the last
 * 40 days, plus keys outside the raw layout or naming no real hour.
 */
function liveFixtures(now: Date): { counts: MinuteCount[]; objects: Array<{ key: string; bytes: number }> } {
  const random = randomSource(5);
  const int = (n: number) => Math.floor(random() * n);
  const thisMinute = now.getTime() - (now.getTime() % 60_000);
  const counts: MinuteCount[] = [];
  const add = (site_id: string, minute: number) =>
    counts.push({ site_id, minute: new Date(minute), user_id: `user-${int(12)}`, event_type: EVENT_TYPES[int(EVENT_TYPES.length)], count: 1 + int(20) });
  for (const site of ['live_a', 'live_b']) {
    for (let m = thisMinute - 3 * 1440 * 60_000; m <= thisMinute + 3 * 60_000; m += 60_000) {
      const ago = (thisMinute - m) / 60_000;
      if (random() < 0.33 || (ago >= 11 && ago <= 20)) continue;
      for (let k = 1 + int(3); k > 0; k--) add(site, m);
    }
    for (let d = 3; d < 40; d++) add(site, thisMinute - d * 86_400_000);
  }
  const objects: Array<{ key: string; bytes: number }> = [];
  for (let h = Math.floor(now.getTime() / 3_600_000) - 40 * 24; h <= Math.floor(now.getTime() / 3_600_000) + 1; h++) {
    const iso = new Date(h * 3_600_000).toISOString();
    for (let k = int(3); k > 0; k--) {
      objects.push({ key: `raw/dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/clickstream.events-p${k}-${h}-${h + 9}.ndjson.gz`, bytes: 1 + int(1_000_000) });
    }
  }
  objects.push(
    { key: 'raw/dt=2026-03-08/hour=24/clickstream.events-p0-1-2.ndjson.gz', bytes: 999_999_999 },
    { key: 'raw/dt=2026-02-30/hour=01/clickstream.events-p0-1-2.ndjson.gz', bytes: 999_999_999 },
    { key: 'raw/dt=2026-03-08/clickstream.events-p0-1-2.ndjson.gz', bytes: 999_999_999 },
    { key: 'archive/raw/dt=2026-03-08/hour=01/x.ndjson.gz', bytes: 999_999_999 },
    { key: 'raw/dt=2026-0x-08/hour=01/clickstream.events-p0-1-2.ndjson.gz', bytes: 999_999_999 },
    { key: 'raw/dt=2026-03-08/hour=1/clickstream.events-p0-1-2.ndjson.gz', bytes: 999_999_999 },
  );
  return { counts, objects };
}
