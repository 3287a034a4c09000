// The dashboard's session, order, page-user and retention figures read only hour-grain tables (and
// `users`) on whole UTC hours without filters. Proof: after modelling, the raw-grain rows those
// figures would otherwise read (events, sessions, page_views, orders) are deleted; whole-hour ranges
// still give the reference answers (support/reference-queries.ts), while ranges off whole hours,
// filtered ranges and zones whose hours start at :30 read the deleted rows and find nothing.
import type { CanonicalEvent } from '@clickstream/event-schema';
import { overview, pages, rangeFromDates, rebuildModels, copyEvents, retention, sessionsDaily, timeseries, type MetricRange } from '../src';
import { createTestWarehouse, generateSessions, startTestPostgres, type TestPostgres, type TestWarehouse } from '../src/testing';
import { ReferenceQueries } from './support/reference-queries';

jest.setTimeout(60_000);

// queries.spec's four days across New York's DST change, and eight weeks of returning users
const dataset = generateSessions({ seed: 11, start: '2026-03-06', days: 4 });
const cohortData = generateSessions({ seed: 23, start: '2026-02-02', days: 56, sites: ['ret_a', 'ret_b'], usersPerSite: 80 });

const bothSides = bothSidesSite();
const halfCents = halfCentSite();

const HOUR = 3_600_000;

/** Whole UTC hours, bots left out and included, in UTC and across New York's DST change. */
const aligned: MetricRange[] = [
  { site: 'site_a', ...rangeFromDates('2026-03-05', '2026-03-10', 'UTC') },
  { site: 'site_b', ...rangeFromDates('2026-03-05', '2026-03-10', 'UTC'), bots: true },
  { site: 'site_a', ...rangeFromDates('2026-03-08', '2026-03-09', 'America/New_York') },
  { site: 'site_b', ...rangeFromDates('2026-03-07T22:00', '2026-03-08T09:00', 'America/New_York'), bots: true },
  // whole UTC days (the per-day tables) with hours before and after them
  { site: 'site_a', ...rangeFromDates('2026-03-06', '2026-03-09', 'America/New_York') },
  { site: 'site_b', ...rangeFromDates('2026-03-06T07:00', '2026-03-09T13:00', 'UTC'), bots: true },
];

/** Cohort ranges whose first Monday and `to` are whole UTC hours, in zones whose days are too. */
const alignedCohorts: Array<{ range: MetricRange; weeks: number }> = [
  { range: { site: 'ret_a', ...rangeFromDates('2026-02-02', '2026-03-29') }, weeks: 8 },
  { range: { site: 'ret_b', ...rangeFromDates('2026-02-02', '2026-03-29'), bots: true }, weeks: 26 },
  { range: { site: 'ret_a', ...rangeFromDates('2026-02-23', '2026-03-15', 'America/New_York') }, weeks: 4 },
  // from and to mid-week; the window starts on the Monday before from
  { range: { site: 'ret_b', ...rangeFromDates('2026-02-11', '2026-03-11T15:00', 'America/New_York'), bots: true }, weeks: 8 },
  { range: { site: 'ret_a', ...rangeFromDates('2026-03-16', '2026-03-31', 'Europe/London') }, weeks: 3 },
];

const named = <T extends { range: MetricRange }>(cases: T[]) =>
  cases.map((c) => ({ ...c, name: `${c.range.site} ${c.range.from.toISOString()}–${c.range.to.toISOString()} ${c.range.tz} bots=${c.range.bots ?? false}` }));

describe('the dashboard rollups', () => {
  let pg: TestPostgres;
  let wh: TestWarehouse;
  const reference = new ReferenceQueries([...dataset, ...cohortData, ...bothSides, ...halfCents]);

  beforeAll(async () => {
    pg = await startTestPostgres();
    wh = await createTestWarehouse(pg.url, { max: 2 });
    const { touched } = await copyEvents(wh.sql, [...dataset, ...cohortData, ...bothSides, ...halfCents]);
    await rebuildModels(wh.sql, { touched });
    await wh.sql`delete from events`;
    await wh.sql`delete from sessions`;
    await wh.sql`delete from page_views`;
    await wh.sql`delete from orders`;
  });
  afterAll(async () => {
    await wh?.drop();
    await pg?.stop();
  });

  it('averages durations from exact hour sums: exactly 0.105 s rounds to 0.11', async () => {
    const range = { site: 'half_cents', ...rangeFromDates('2026-03-03', '2026-03-03') };
    expect((await overview(wh.sql, range)).avg_session_seconds).toBe(0.11);
    expect((await sessionsDaily(wh.sql, range)).map((d) => d.avg_duration_seconds)).toEqual([0.11]);
    expect((await pages(wh.sql, range)).map((p) => p.avg_time_seconds)).toEqual([0.11]);
  });

  /** The same range with `from` moved 1 ms later: no longer whole hours. */
  const shifted = (range: MetricRange): MetricRange => ({ ...range, from: new Date(range.from.getTime() + 1) });

  describe.each(named(aligned.map((range) => ({ range }))))('$name', ({ range }) => {
    it('overview: sessions, duration, bounce rate and revenue from session_metrics_daily and revenue_daily', async () => {
      const expected = reference.overview(range);
      expect([expected.sessions, expected.bounce_rate, expected.avg_session_seconds, expected.revenue].every((n) => n > 0)).toBe(true);
      expect(await overview(wh.sql, range)).toEqual(expected);
      const zeros = { events: 0, page_views: 0, users: 0, sessions: 0, avg_session_seconds: 0, bounce_rate: 0, revenue: 0 };
      expect(await overview(wh.sql, shifted(range))).toMatchObject(zeros);
      expect(await overview(wh.sql, { ...range, filters: { country: 'DE' } })).toMatchObject(zeros);
    });

    it('timeseries: sessions, orders and revenue by hour and day from the hour tables; minutes and other ranges read the raw rows', async () => {
      for (const metric of ['sessions', 'orders', 'revenue'] as const) {
        for (const interval of ['hour', 'day'] as const) {
          const expected = reference.timeseries(range, metric, interval);
          expect(expected.length).toBeGreaterThan(0);
          expect({ metric, interval, rows: await timeseries(wh.sql, range, { metric, interval }) }).toEqual({ metric, interval, rows: expected });
          expect(await timeseries(wh.sql, shifted(range), { metric, interval })).toEqual([]);
          expect(await timeseries(wh.sql, { ...range, tz: 'Asia/Kolkata' }, { metric, interval })).toEqual([]);
          expect(await timeseries(wh.sql, { ...range, filters: { deviceType: 'mobile' } }, { metric, interval })).toEqual([]);
        }
        expect(await timeseries(wh.sql, range, { metric, interval: 'minute' })).toEqual([]);
      }
    });

    it('sessionsDaily from session_metrics_daily and session_user_hours', async () => {
      const expected = reference.sessionsDaily(range);
      expect(expected.length).toBeGreaterThan(0);
      expect(await sessionsDaily(wh.sql, range)).toEqual(expected);
      expect(await sessionsDaily(wh.sql, shifted(range))).toEqual([]);
      // whole UTC hours, but Kolkata's days start at :30
      expect(await sessionsDaily(wh.sql, { ...range, tz: 'Asia/Kolkata' })).toEqual([]);
      expect(await sessionsDaily(wh.sql, { ...range, filters: { eventType: 'click' } })).toEqual([]);
    });

    it('pages: unique users from page_user_days and page_user_hours', async () => {
      expect(reference.pages(range).every((row) => row.unique_users > 0)).toBe(true);
      expect(await pages(wh.sql, range, { limit: 10_000 })).toEqual(reference.pages(range, 10_000));
      expect(await pages(wh.sql, range, { limit: 2 })).toEqual(reference.pages(range, 2));
      expect(await pages(wh.sql, shifted(range))).toEqual([]);
      expect(await pages(wh.sql, { ...range, filters: { deviceType: 'desktop' } })).toEqual([]);
    });
  });

  describe.each(named(alignedCohorts))('retention $name', ({ range, weeks }) => {
    it('cohorts from users.first_seen and returns from session_user_hours', async () => {
      const expected = reference.retention(range, weeks);
      expect(expected.some((row) => row.retained.slice(1).some((n) => n > 0))).toBe(true);
      expect(await retention(wh.sql, range, { weeks })).toEqual(expected);
    });
    it('a `to` off whole hours, a filter or a zone whose days start at :30 read the sessions', async () => {
      expect(await retention(wh.sql, { ...range, to: new Date(range.to.getTime() - HOUR / 2) }, { weeks })).toEqual([]);
      expect(await retention(wh.sql, { ...range, filters: { deviceType: 'mobile' } }, { weeks })).toEqual([]);
      expect(await retention(wh.sql, { ...range, tz: 'Asia/Kolkata' }, { weeks })).toEqual([]);
    });
  });

  it('retention: with bots included, a user first seen on either side before the window is in no cohort', async () => {
    const range = { site: 'both_sides', ...rangeFromDates('2026-03-02', '2026-03-22') };
    // x's bot came in February, so with bots x is not new in March; y is, whichever side comes first
    const humans = [{ cohort: '2026-03-02', users: 2, retained: [2, 1, 0], rates: [100, 50, 0] }];
    const all = [{ cohort: '2026-03-02', users: 1, retained: [1, 1, 0], rates: [100, 100, 0] }];
    expect(reference.retention(range, 4)).toEqual(humans);
    expect(reference.retention({ ...range, bots: true }, 4)).toEqual(all);
    expect(await retention(wh.sql, range, { weeks: 4 })).toEqual(humans);
    expect(await retention(wh.sql, { ...range, bots: true }, { weeks: 4 })).toEqual(all);
  });
});

/** Site both_sides: users with human and bot sessions (one page view each), as the retention test describes. */
/**
 * A thousand sessions starting in one hour, each a page view closed 0.1 s later but the last, closed
 * after 5.1 s: the averages are exactly 0.105 s, which rounds to 0.11 — but to 0.10 from a float8
 * sum (999 × 0.1 + 5.1 is 104.9999999999986 in binary), so the hour sums must be exact.
 */
function halfCentSite(): CanonicalEvent[] {
  const events: CanonicalEvent[] = [];
  const start = Date.parse('2026-03-03T10:00:00.000Z');
  for (let i = 0; i < 1000; i++) {
    const at = start + i * 3_000;
    for (const [n, type, t] of [[0, 'page_view', at], [1, 'page_close', at + (i === 999 ? 5_100 : 100)]] as const) {
      const time = new Date(t).toISOString();
      events.push({
        schema_version: 1,
        event_id: `0190f0e0-0000-7000-8001-${(2 * i + n).toString(16).padStart(12, '0')}`,
        event_type: type,
        site_id: 'half_cents',
        user_id: `u-${i}`,
        session_id: `s-${i}`,
        event_time: time,
        received_at: time,
        page: { path: '/p' },
        context: { is_bot: false },
      });
    }
  }
  return events;
}

function bothSidesSite(): CanonicalEvent[] {
  const sessions: Array<[string, string, string, boolean]> = [
    ['x', 'x-bot', '2026-02-25T12:00:00.000Z', true],
    ['x', 'x-1', '2026-03-03T12:00:00.000Z', false],
    ['x', 'x-2', '2026-03-10T12:00:00.000Z', false],
    ['y', 'y-1', '2026-03-04T12:00:00.000Z', false],
    ['y', 'y-bot', '2026-03-11T12:00:00.000Z', true],
  ];
  return sessions.map(([user, session, at, isBot], i) => ({
    schema_version: 1,
    event_id: `0190f0e0-0000-7000-8000-${(0x300 + i).toString(16).padStart(12, '0')}`,
    event_type: 'page_view',
    site_id: 'both_sides',
    user_id: user,
    session_id: session,
    event_time: at,
    received_at: at,
    page: { path: '/' },
    context: { is_bot: isBot },
  }));
}
