// liveSummary's today (by_type, events_today) and daily volume read from live_hour_counts for whole
// UTC hours and from user_minute_counts only for the hours a local day starts or ends in: compared
// with the in-memory reference (support/reference-queries.ts, which reads every minute row) in zones
// whose days start on the hour (UTC, America/New_York across its DST change) and mid-hour
// (Asia/Kolkata +05:30, Asia/Kathmandu +05:45), with `now` just before and after local midnight;
// and shown to read the hour rows (old minute rows deleted) and the minute rows only at the edges
// (hour rows zeroed).
import { EVENT_TYPES } from '@clickstream/event-schema';
import { randomSource } from '@clickstream/runtime/testing';
import { applyMinuteCounts, liveSummary, type LiveSummaryQuery, type MinuteCount } from '../src';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '../src/testing';
import { referenceLiveSummary } from './support/reference-queries';

jest.setTimeout(60_000);

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const SLOTS = 3;

const live = liveCounts();
const objects = archiveObjects();

const cases: Array<{ name: string; query: LiveSummaryQuery }> = [
  { name: 'UTC, just after midnight', query: { site: 'live_a', now: new Date('2026-03-09T00:00:30Z') } },
  { name: 'UTC, midday, a week', query: { site: 'live_b', now: new Date('2026-03-08T13:37:12Z'), days: 7 } },
  { name: 'America/New_York, just after midnight following the 23-hour day', query: { site: 'live_a', now: new Date('2026-03-09T04:00:20Z'), tz: 'America/New_York' } },
  { name: 'America/New_York, just before midnight before the 23-hour day', query: { site: 'live_b', now: new Date('2026-03-08T04:59:59Z'), tz: 'America/New_York', days: 3 } },
  { name: 'Asia/Kolkata, just after midnight', query: { site: 'live_a', now: new Date('2026-03-08T18:30:45Z'), tz: 'Asia/Kolkata' } },
  { name: 'Asia/Kolkata, just before midnight', query: { site: 'live_b', now: new Date('2026-03-08T18:29:10Z'), tz: 'Asia/Kolkata', days: 4 } },
  { name: 'Asia/Kolkata, mid-afternoon', query: { site: 'live_a', now: new Date('2026-03-09T10:02:00Z'), tz: 'Asia/Kolkata', minutes: 30 } },
  { name: 'Asia/Kathmandu, just after midnight', query: { site: 'live_a', now: new Date('2026-03-08T18:15:00Z'), tz: 'Asia/Kathmandu' } },
  { name: 'Asia/Kathmandu, just before midnight', query: { site: 'live_b', now: new Date('2026-03-08T18:14:59.999Z'), tz: 'Asia/Kathmandu', days: 2 } },
  { name: 'Asia/Kathmandu, one day', query: { site: 'live_b', now: new Date('2026-03-07T23:59:00Z'), tz: 'Asia/Kathmandu', days: 1 } },
];

describe('liveSummary from the hour rows', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(() => pg?.stop());

  /** A warehouse of its own holding the fixture, written as the live pipeline does: a transaction per batch, each partition to its own slot. */
  async function loadedWarehouse(): Promise<TestWarehouse> {
    const wh = await createTestWarehouse(pg.url, { max: 4 });
    for (let slot = 0; slot < SLOTS; slot++) {
      const rows = live.filter((c) => slotOf(c.user_id) === slot);
      for (let i = 0; i < rows.length; i += 2000) await wh.sql.begin((tx) => applyMinuteCounts(tx, rows.slice(i, i + 2000), { slot }));
    }
    await wh.sql`insert into etl_objects ${wh.sql(objects.map((o) => ({ key: o.key, etag: 'etag', bytes: o.bytes })))}`;
    return wh;
  }

  describe('the same answers as from the minute rows', () => {
    let wh: TestWarehouse;
    beforeAll(async () => {
      wh = await loadedWarehouse();
    });
    afterAll(() => wh?.drop());

    it('the fixture spreads every hour over the slots, and has minutes on both sides of each local midnight', async () => {
      const [{ slots, hours }] = await wh.sql`select count(distinct slot)::int as slots, count(distinct hour)::int as hours from live_hour_counts`;
      expect(slots).toBe(SLOTS);
      expect(hours).toBeGreaterThan(4 * 24);
      for (const minute of ['2026-03-08T18:29:00Z', '2026-03-08T18:30:00Z', '2026-03-08T18:14:00Z', '2026-03-08T18:15:00Z', '2026-03-09T03:59:00Z', '2026-03-09T04:00:00Z']) {
        expect(live.some((c) => c.site_id === 'live_a' && c.minute.getTime() === Date.parse(minute))).toBe(true);
      }
    });

    it.each(cases)('$name', async ({ query }) => {
      const expected = referenceLiveSummary(live, objects, query);
      expect(expected.events_today).toBeGreaterThan(0);
      expect(await liveSummary(wh.sql, query)).toEqual(expected);
    });
  });

  describe('which rows are read', () => {
    let wh: TestWarehouse;
    beforeEach(async () => {
      wh = await loadedWarehouse();
    });
    afterEach(() => wh?.drop());

    it('UTC: today and the volume no longer depend on minute rows older than the last hour', async () => {
      const query = { site: 'live_a', now: new Date('2026-03-09T13:37:12Z'), days: 10 };
      const expected = referenceLiveSummary(live, objects, query);
      const deleted = await wh.sql`delete from user_minute_counts where minute < ${new Date(Date.parse('2026-03-09T13:37:00Z') - 59 * MINUTE)}`;
      expect(deleted.count).toBeGreaterThan(1000);
      // what is left of today's minute rows is far from today's total
      const [{ left }] = await wh.sql`select coalesce(sum(event_count), 0)::float8 as left from user_minute_counts where site_id = 'live_a' and minute >= '2026-03-09T00:00:00Z'`;
      expect(left).toBeLessThan(expected.events_today / 2);
      // every UTC day is whole hours, so everything is still there (the last hour keeps its minute rows)
      expect(await liveSummary(wh.sql, query)).toEqual(expected);
    });

    it.each([
      { tz: 'Asia/Kolkata', now: '2026-03-09T10:02:00Z', splitHour: 18 },
      { tz: 'Asia/Kathmandu', now: '2026-03-08T18:15:00Z', splitHour: 18 },
    ])('$tz: the minute rows are read only for the UTC hour the local day starts in', async ({ tz, now, splitHour }) => {
      // Every whole-hour row zeroed: what remains is exactly the minute rows of the hours a local
      // midnight falls in (18:30Z in Kolkata, 18:15Z in Kathmandu), the rest was the hour rows.
      await wh.sql`update live_hour_counts set event_count = 0`;
      const query = { site: 'live_b', now: new Date(now), tz, days: 3 };
      const today = localDate(query.now.getTime(), tz);
      const volumeDays = new Set([0, 1, 2].map((back) => localDate(Date.parse(`${today}T12:00:00Z`) - back * DAY, 'UTC')));
      const split = live.filter((c) => c.site_id === 'live_b' && c.minute.getUTCHours() === splitHour);
      const todays = split.filter((c) => localDate(c.minute.getTime(), tz) === today);
      const perDay = new Map<string, number>();
      for (const c of split) {
        const day = localDate(c.minute.getTime(), tz);
        if (volumeDays.has(day)) perDay.set(day, (perDay.get(day) ?? 0) + c.count);
      }

      const summary = await liveSummary(wh.sql, query);
      expect(summary.events_today).toBe(todays.reduce((n, c) => n + c.count, 0));
      expect(summary.events_today).toBeGreaterThan(0);
      expect(summary.volume.map((d) => [d.day, d.events])).toEqual([...perDay].sort(([a], [b]) => (a < b ? -1 : 1)));
    });
  });
});

/** A user's partition, as a keyed producer would pick it. */
function slotOf(user: string): number {
  return Number(user.slice('user-'.length)) % SLOTS;
}

/**
 * Live rollups of live_a and live_b: every minute of 2026-03-07 … 09 (UTC) with one to three rows,
 * a minute in two of 2026-03-05 and 06, and one row a day for 40 days before that.
 */
function liveCounts(): MinuteCount[] {
  const random = randomSource(17);
  const int = (n: number) => Math.floor(random() * n);
  const counts: MinuteCount[] = [];
  const add = (site_id: string, minute: number) =>
    counts.push({ site_id, minute: new Date(minute), user_id: `user-${int(12)}`, event_type: EVENT_TYPES[int(EVENT_TYPES.length)], count: 1 + int(20) });
  const start = Date.parse('2026-03-05T00:00:00Z');
  const dense = Date.parse('2026-03-07T00:00:00Z');
  const end = Date.parse('2026-03-10T00:00:00Z');
  for (const site of ['live_a', 'live_b']) {
    for (let m = start; m < end; m += MINUTE) {
      if (m < dense && random() < 0.5) continue;
      for (let k = 1 + int(3); k > 0; k--) add(site, m);
    }
    for (let d = 1; d <= 40; d++) add(site, start - d * DAY + int(DAY / MINUTE) * MINUTE);
  }
  return counts;
}

/** Raw objects of every UTC hour of the fixture's dense days (bytes are read as before, but part of the answer). */
function archiveObjects(): Array<{ key: string; bytes: number }> {
  const objects: Array<{ key: string; bytes: number }> = [];
  for (let h = Date.parse('2026-03-07T00:00:00Z'); h < Date.parse('2026-03-10T00:00:00Z'); h += HOUR) {
    const iso = new Date(h).toISOString();
    objects.push({ key: `raw/dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/clickstream.events-p0-${h}.ndjson.gz`, bytes: 1000 + (h / HOUR) % 977 });
  }
  return objects;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The local date (YYYY-MM-DD) of an instant in `tz`. */
function localDate(t: number, tz: string): string {
  let format = dateFormats.get(tz);
  if (!format) dateFormats.set(tz, (format = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return format.format(new Date(t));
}
