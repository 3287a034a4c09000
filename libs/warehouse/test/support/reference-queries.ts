// The API's metrics computed the plain way, in memory, straight from canonical events and the
// definitions in shared/DESIGN.md ("Metric definitions") — a second implementation the SQL of
// src/queries is compared with. It shares no code with the library: sessions, page views and orders
// are rebuilt here from the events, days and buckets come from Intl, and every rounded figure is
// computed from integers (milliseconds, cents) so that rounding to 2 decimals is exact.
//
// Like the models, sessions and orders are kept apart by is_bot: with bots included, a session (or
// order) that has both human and bot events counts once on each side.
//
// Filters (the range's `filters`), as the API documents them: a device type or country keeps what
// belongs to sessions whose first event has it (events and page views by their session, orders by
// the session of their first purchase event); an event type keeps only events of that type in event
// counts (events, users) and only sessions with such an event (at any time) in session figures,
// and leaves page views, clicks, scrolls and orders alone. Funnels, retention and the live summary
// are worked out below from the same sessions and the definitions in their functions' comments.
import type { CanonicalEvent } from '@clickstream/event-schema';
import { bySessionOrder, cmp, distinctEvents, groupBy } from './reference-models';

export interface RefFilters {
  eventType?: string;
  deviceType?: string;
  country?: string;
}

export interface RefRange {
  site: string;
  from: Date;
  to: Date;
  tz?: string;
  bots?: boolean;
  filters?: RefFilters;
}

export interface RefFunnelStep {
  event_type: string;
  value?: string;
  label: string;
}

type Dimension = 'country' | 'device_type' | 'browser' | 'os' | 'referrer_domain' | 'utm_source';
type Metric = 'events' | 'page_views' | 'users' | 'sessions' | 'revenue' | 'orders';
type Interval = 'minute' | 'hour' | 'day';

interface Session {
  site: string;
  bot: boolean;
  user: string;
  start: number;
  durationMs: number;
  pageViews: number;
  bounce: boolean;
  first: CanonicalEvent;
  /** All its events, in session order. */
  events: CanonicalEvent[];
}

/** A session's identity: site, session_id and bot side. */
const sessionKey = (e: { site_id: string; session_id: string; context: { is_bot: boolean } }) => `${e.site_id}\u0000${e.session_id}\u0000${e.context.is_bot}`;

interface PageView {
  /** Its session's sessionKey. */
  session: string;
  site: string;
  bot: boolean;
  user: string;
  at: number;
  path: string;
  timeMs: number | null;
  depth: number | null;
  exit: boolean;
}

interface Order {
  /** The sessionKey of its first purchase event. */
  session: string;
  site: string;
  bot: boolean;
  at: number;
  /** ordered_at, order_id: what "latest" means for a product name. */
  order_id: string;
  amountCents: number;
  payment_method: string | null;
  items: Array<{ product_id: string; name: string | null; priceCents: number; quantity: number; line: number }>;
}

/** round(n ÷ d, 2), halves away from zero, for integers n ≥ 0 and d > 0 — exact. */
function ratio2(n: number, d: number): number {
  return Math.floor((200 * n + d) / (2 * d)) / 100;
}

/** Whole cents of a decimal amount with at most 2 decimals (what numeric(14,2) keeps). */
function centsOf(x: number): number {
  const cents = Math.round(x * 100);
  if (Math.abs(cents - x * 100) > 1e-6) throw new Error(`reference: ${x} has more than 2 decimals`);
  return cents;
}

const time = (iso: string) => Date.parse(iso);

const formats = new Map<string, Intl.DateTimeFormat>();

/** Local wall-clock fields of an instant in a time zone. */
function wall(t: number, tz: string): { date: string; minute: number; second: number } {
  let format = formats.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formats.set(tz, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(new Date(t))) parts[p.type] = p.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minute: Number(parts.minute), second: Number(parts.second) };
}

const localDay = (t: number, tz: string) => wall(t, tz).date;

const dayStarts = new Map<string, number>();

/** The start of an instant's minute, hour or local day: the last instant before it at which the local clock showed :00. */
function bucketStart(t: number, interval: Interval, tz: string): number {
  const w = wall(t, tz);
  const ms = t % 1000;
  if (interval === 'minute') return t - w.second * 1000 - ms;
  if (interval === 'hour') return t - (w.minute * 60 + w.second) * 1000 - ms;
  const known = dayStarts.get(`${tz}|${w.date}`);
  if (known !== undefined) return known;
  // the first second whose local date is this one's, searched for in the 48 hours before
  let lo = Math.floor(t / 1000) - 48 * 3600; // an earlier local date
  let hi = Math.floor(t / 1000); // this local date
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDay(mid * 1000, tz) >= w.date) hi = mid;
    else lo = mid;
  }
  dayStarts.set(`${tz}|${w.date}`, hi * 1000);
  return hi * 1000;
}

function dimensionOf(e: CanonicalEvent, dimension: Dimension): string {
  const c = e.context;
  const value = dimension === 'utm_source' ? c.utm?.source : c[dimension];
  return value ?? '(none)';
}

/** Whole days from one YYYY-MM-DD to another. */
const daysBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
const addDays = (day: string, n: number) => new Date(Date.parse(day) + n * 86_400_000).toISOString().slice(0, 10);
/** The Monday of a YYYY-MM-DD's week. */
const mondayOf = (day: string) => addDays(day, -((new Date(Date.parse(day)).getUTCDay() + 6) % 7));

/** The first instant (to the second) whose local date in tz is `day` or later. */
function localMidnight(day: string, tz: string): number {
  let lo = Date.parse(day) / 1000 - 2 * 86_400; // an earlier local date
  let hi = Date.parse(day) / 1000 + 2 * 86_400; // a later one
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDay(mid * 1000, tz) >= day) hi = mid;
    else lo = mid;
  }
  return hi * 1000;
}

/** A live rollup row, as the stream consumer writes it (minute: the start of a UTC minute). */
export interface RefMinuteCount {
  site_id: string;
  minute: Date;
  user_id: string;
  event_type: string;
  count: number;
}

/**
 * The live summary, from the rollup rows and the load manifest (key, bytes): "today" and the volume
 * days are local dates of `now` in tz; the per-minute window is the `minutes` minutes ending with
 * now's, the last hour the 60 ending with it; an object's bytes count on the local day of the UTC
 * hour in its key, for every site.
 */
export function referenceLiveSummary(
  counts: readonly RefMinuteCount[],
  objects: ReadonlyArray<{ key: string; bytes: number }>,
  query: { site: string; now: Date; tz?: string; minutes?: number; topUsers?: number; days?: number },
) {
  const tz = query.tz ?? 'UTC';
  const rows = counts.filter((c) => c.site_id === query.site);
  const today = localDay(query.now.getTime(), tz);
  const thisMinute = query.now.getTime() - (query.now.getTime() % 60_000);
  const sum = (list: readonly RefMinuteCount[]) => list.reduce((n, c) => n + c.count, 0);

  const todays = rows.filter((c) => localDay(c.minute.getTime(), tz) === today);
  const byType = [...groupBy(todays, (c) => c.event_type).entries()]
    .map(([event_type, list]) => ({ event_type, events: sum(list) }))
    .sort((a, b) => b.events - a.events || cmp(a.event_type, b.event_type));
  const minutes = query.minutes ?? 60;
  const perMinute = Array.from({ length: minutes }, (_, i) => {
    const minute = thisMinute - (minutes - 1 - i) * 60_000;
    return { minute: new Date(minute).toISOString(), events: sum(rows.filter((c) => c.minute.getTime() === minute)) };
  });
  const lastHour = rows.filter((c) => c.minute.getTime() > thisMinute - 60 * 60_000 && c.minute.getTime() <= thisMinute);
  const topUsers = [...groupBy(lastHour, (c) => c.user_id).entries()]
    .map(([user_id, list]) => ({ user_id, events: sum(list) }))
    .sort((a, b) => b.events - a.events || cmp(a.user_id, b.user_id))
    .slice(0, query.topUsers ?? 5);

  const days = new Set(Array.from({ length: query.days ?? 30 }, (_, i) => addDays(today, -i)));
  const volume = new Map<string, { day: string; events: number; bytes: number }>();
  const dayRow = (day: string) => {
    let row = volume.get(day);
    if (!row) volume.set(day, (row = { day, events: 0, bytes: 0 }));
    return row;
  };
  for (const c of rows) {
    const day = localDay(c.minute.getTime(), tz);
    if (days.has(day)) dayRow(day).events += c.count;
  }
  for (const o of objects) {
    const m = /^raw\/dt=(\d{4})-(\d{2})-(\d{2})\/hour=(\d{2})\//.exec(o.key);
    if (!m) continue;
    const [year, month, date, hour] = m.slice(1).map(Number);
    const start = Date.UTC(year, month - 1, date, hour);
    const back = new Date(start);
    if (back.getUTCDate() !== date || back.getUTCHours() !== hour) continue; // no such hour
    const day = localDay(start, tz);
    if (days.has(day)) dayRow(day).bytes += o.bytes;
  }
  return {
    events_today: sum(todays),
    per_minute: perMinute,
    by_type: byType,
    top_users_last_hour: topUsers,
    volume: [...volume.values()].sort((a, b) => cmp(a.day, b.day)),
  };
}

export class ReferenceQueries {
  private readonly events: CanonicalEvent[];
  private readonly sessions: Session[] = [];
  private readonly pageViews: PageView[] = [];
  private readonly orders: Order[] = [];
  private readonly sessionsByKey = new Map<string, Session>();

  constructor(all: readonly CanonicalEvent[]) {
    // the warehouse keeps the first of events with the same (site_id, event_id)
    this.events = distinctEvents(all);

    for (const list of groupBy(this.events, sessionKey).values()) {
      list.sort(bySessionOrder);
      const views = list.filter((e) => e.event_type === 'page_view');
      const clicks = list.filter((e) => e.event_type === 'click').length;
      const purchases = list.filter((e) => e.event_type === 'purchase').length;
      this.sessions.push({
        site: list[0].site_id,
        bot: list[0].context.is_bot,
        user: list[0].user_id,
        start: time(list[0].event_time),
        durationMs: time(list[list.length - 1].event_time) - time(list[0].event_time),
        pageViews: views.length,
        bounce: views.length === 1 && clicks === 0 && purchases === 0,
        first: list[0],
        events: list,
      });
      this.sessionsByKey.set(sessionKey(list[0]), this.sessions[this.sessions.length - 1]);
      list.forEach((e, i) => {
        if (e.event_type !== 'page_view') return;
        const rest = list.slice(i + 1);
        const nextView = rest.findIndex((x) => x.event_type === 'page_view');
        const before = nextView === -1 ? rest : rest.slice(0, nextView);
        const end = rest.find((x) => ['page_view', 'page_close', 'session_end'].includes(x.event_type));
        const depths = before.filter((x) => x.event_type === 'scroll' && x.scroll_depth !== undefined).map((x) => Math.round(x.scroll_depth as number));
        this.pageViews.push({
          session: sessionKey(e),
          site: e.site_id,
          bot: e.context.is_bot,
          user: e.user_id,
          at: time(e.event_time),
          path: e.page?.path ?? '',
          timeMs: end ? time(end.event_time) - time(e.event_time) : null,
          depth: depths.length ? Math.max(...depths) : null,
          exit: e === views[views.length - 1],
        });
      });
    }

    const purchases = this.events.filter((e) => e.event_type === 'purchase' && e.order);
    for (const list of groupBy(purchases, (e) => `${e.site_id}\u0000${e.order?.order_id}\u0000${e.context.is_bot}`).values()) {
      const e = [...list].sort(bySessionOrder)[0];
      const order = e.order as NonNullable<CanonicalEvent['order']>;
      this.orders.push({
        session: sessionKey(e),
        site: e.site_id,
        bot: e.context.is_bot,
        at: time(e.event_time),
        order_id: order.order_id,
        amountCents: centsOf(order.amount),
        payment_method: order.payment_method ?? null,
        items: (order.items ?? []).map((item, i) => ({
          product_id: item.product_id,
          name: item.name ?? null,
          priceCents: centsOf(item.price),
          quantity: item.quantity,
          line: i + 1,
        })),
      });
    }
  }

  // ── what is in a range ──

  private inRange<T>(rows: readonly T[], range: RefRange, at: (row: T) => number, site: (row: T) => string, bot: (row: T) => boolean): T[] {
    const from = range.from.getTime();
    const to = range.to.getTime();
    return rows.filter((row) => site(row) === range.site && at(row) >= from && at(row) < to && (range.bots || !bot(row)));
  }
  /** The session has the filtered device type and country (those of its first event). */
  private hasAttributes(session: Session | undefined, range: RefRange): boolean {
    const f = range.filters ?? {};
    if (!session) throw new Error('reference: an event without its session');
    return (f.deviceType === undefined || session.first.context.device_type === f.deviceType) && (f.country === undefined || session.first.context.country === f.country);
  }
  /** Events in the range of sessions with the filtered attributes, every type. */
  private eventsIn(range: RefRange): CanonicalEvent[] {
    return this.inRange(this.events, range, (e) => time(e.event_time), (e) => e.site_id, (e) => e.context.is_bot).filter((e) => this.hasAttributes(this.sessionsByKey.get(sessionKey(e)), range));
  }
  /** What event counts count: eventsIn, of the filtered type only. */
  private countedEventsIn(range: RefRange): CanonicalEvent[] {
    const type = range.filters?.eventType;
    return this.eventsIn(range).filter((e) => type === undefined || e.event_type === type);
  }
  /** Sessions with the filtered attributes and, for an event type filter, an event of that type. */
  private sessionMatches(s: Session, range: RefRange): boolean {
    const type = range.filters?.eventType;
    return this.hasAttributes(s, range) && (type === undefined || s.events.some((e) => e.event_type === type));
  }
  private sessionsIn(range: RefRange): Session[] {
    return this.inRange(this.sessions, range, (s) => s.start, (s) => s.site, (s) => s.bot).filter((s) => this.sessionMatches(s, range));
  }
  private pageViewsIn(range: RefRange): PageView[] {
    return this.inRange(this.pageViews, range, (p) => p.at, (p) => p.site, (p) => p.bot).filter((p) => this.hasAttributes(this.sessionsByKey.get(p.session), range));
  }
  private ordersIn(range: RefRange): Order[] {
    return this.inRange(this.orders, range, (o) => o.at, (o) => o.site, (o) => o.bot).filter((o) => this.hasAttributes(this.sessionsByKey.get(o.session), range));
  }

  // ── the metrics ──

  overview(range: RefRange) {
    const totals = (r: RefRange) => {
      const events = this.countedEventsIn(r);
      const sessions = this.sessionsIn(r);
      const durationMs = sessions.reduce((s, x) => s + x.durationMs, 0);
      return {
        events: events.length,
        page_views: this.eventsIn(r).filter((e) => e.event_type === 'page_view').length,
        users: new Set(events.map((e) => e.user_id)).size,
        sessions: sessions.length,
        avg_session_seconds: sessions.length ? ratio2(durationMs, 1000 * sessions.length) : 0,
        bounce_rate: sessions.length ? ratio2(100 * sessions.filter((s) => s.bounce).length, sessions.length) : 0,
        revenue: this.ordersIn(r).reduce((s, o) => s + o.amountCents, 0) / 100,
      };
    };
    const length = range.to.getTime() - range.from.getTime();
    return { ...totals(range), previous: totals({ ...range, from: new Date(range.from.getTime() - length), to: range.from }) };
  }

  pages(range: RefRange, limit = 50) {
    return [...groupBy(this.pageViewsIn(range), (p) => p.path).entries()]
      .map(([path, views]) => {
        const timed = views.filter((p) => p.timeMs !== null);
        const scrolled = views.filter((p) => p.depth !== null);
        return {
          path,
          page_views: views.length,
          unique_users: new Set(views.map((p) => p.user)).size,
          avg_time_seconds: timed.length ? ratio2(timed.reduce((s, p) => s + Number(p.timeMs), 0), 1000 * timed.length) : null,
          avg_scroll_depth: scrolled.length ? ratio2(scrolled.reduce((s, p) => s + Number(p.depth), 0), scrolled.length) : null,
          exits: views.filter((p) => p.exit).length,
        };
      })
      .sort((a, b) => b.page_views - a.page_views || cmp(a.path, b.path))
      .slice(0, limit);
  }

  clicks(range: RefRange, limit = 50) {
    const events = this.eventsIn(range);
    const views = groupBy(
      events.filter((e) => e.event_type === 'page_view'),
      (e) => e.page?.path ?? '',
    );
    const clicks = groupBy(
      events.filter((e) => e.event_type === 'click'),
      (e) => JSON.stringify([e.page?.path ?? '', e.button_id ?? '']),
    );
    return [...clicks.entries()]
      .map(([key, list]) => {
        const [path, button_id] = JSON.parse(key) as [string, string];
        const pageViews = views.get(path)?.length ?? 0;
        return { path, button_id, clicks: list.length, page_views: pageViews, ctr: pageViews ? ratio2(100 * list.length, pageViews) : null };
      })
      .sort((a, b) => b.clicks - a.clicks || cmp(a.path, b.path) || cmp(a.button_id, b.button_id))
      .slice(0, limit);
  }

  sessionsDaily(range: RefRange) {
    const tz = range.tz ?? 'UTC';
    return [...groupBy(this.sessionsIn(range), (s) => localDay(s.start, tz)).entries()]
      .map(([day, list]) => ({
        day,
        sessions: list.length,
        users: new Set(list.map((s) => s.user)).size,
        avg_duration_seconds: ratio2(
          list.reduce((s, x) => s + x.durationMs, 0),
          1000 * list.length,
        ),
        avg_page_views: ratio2(
          list.reduce((s, x) => s + x.pageViews, 0),
          list.length,
        ),
        bounce_rate: ratio2(100 * list.filter((s) => s.bounce).length, list.length),
      }))
      .sort((a, b) => cmp(a.day, b.day));
  }

  eventTypeTotals(range: RefRange) {
    return [...groupBy(this.countedEventsIn(range), (e) => e.event_type).entries()]
      .map(([event_type, list]) => ({ event_type, events: list.length }))
      .sort((a, b) => b.events - a.events || cmp(a.event_type, b.event_type));
  }

  timeseries(range: RefRange, metric: Metric, interval: Interval) {
    const tz = range.tz ?? 'UTC';
    // each metric as (instant, what it adds) pairs
    const points: Array<{ at: number; key: string; amount: number }> = (() => {
      switch (metric) {
        case 'events':
          return this.countedEventsIn(range).map((e) => ({ at: time(e.event_time), key: e.event_id, amount: 1 }));
        case 'page_views':
          return this.eventsIn(range)
            .filter((e) => e.event_type === 'page_view')
            .map((e) => ({ at: time(e.event_time), key: e.event_id, amount: 1 }));
        case 'users':
          return this.countedEventsIn(range).map((e) => ({ at: time(e.event_time), key: e.user_id, amount: 1 }));
        case 'sessions':
          return this.sessionsIn(range).map((s) => ({ at: s.start, key: `${s.first.session_id}|${s.bot}`, amount: 1 }));
        case 'orders':
          return this.ordersIn(range).map((o) => ({ at: o.at, key: `${o.order_id}|${o.bot}`, amount: 1 }));
        case 'revenue':
          return this.ordersIn(range).map((o) => ({ at: o.at, key: `${o.order_id}|${o.bot}`, amount: o.amountCents }));
      }
    })();
    return [...groupBy(points, (p) => String(bucketStart(p.at, interval, tz))).entries()]
      .map(([t, list]) => {
        // users: distinct per bucket; everything else is a sum
        const value = metric === 'users' ? new Set(list.map((p) => p.key)).size : list.reduce((s, p) => s + p.amount, 0);
        return { t: new Date(Number(t)).toISOString(), value: metric === 'revenue' ? value / 100 : value };
      })
      .sort((a, b) => cmp(a.t, b.t));
  }

  revenue(range: RefRange, limit = 50) {
    const tz = range.tz ?? 'UTC';
    const orders = this.ordersIn(range);
    const cents = orders.reduce((s, o) => s + o.amountCents, 0);
    const byDay = [...groupBy(orders, (o) => localDay(o.at, tz)).entries()]
      .map(([day, list]) => ({ day, orders: list.length, revenue: list.reduce((s, o) => s + o.amountCents, 0) / 100 }))
      .sort((a, b) => cmp(a.day, b.day));
    const lines = orders.flatMap((o) => o.items.map((i) => ({ ...i, order: o })));
    const products = [...groupBy(lines, (l) => l.product_id).entries()]
      .map(([product_id, list]) => ({
        product_id,
        name: this.latestName(range, product_id),
        quantity: list.reduce((s, l) => s + l.quantity, 0),
        revenueCents: list.reduce((s, l) => s + l.priceCents * l.quantity, 0),
      }))
      .sort((a, b) => b.revenueCents - a.revenueCents || cmp(a.product_id, b.product_id))
      .slice(0, limit)
      .map(({ revenueCents, ...p }) => ({ ...p, revenue: revenueCents / 100 }));
    const methods = [...groupBy(orders, (o) => o.payment_method ?? '(none)').entries()]
      .map(([payment_method, list]) => ({ payment_method, orders: list.length, cents: list.reduce((s, o) => s + o.amountCents, 0) }))
      .sort((a, b) => b.cents - a.cents || cmp(a.payment_method, b.payment_method))
      .slice(0, limit)
      .map(({ cents: c, ...m }) => ({ ...m, revenue: c / 100 }));
    return {
      orders: orders.length,
      revenue: cents / 100,
      aov: orders.length ? ratio2(cents, 100 * orders.length) : 0,
      rows: byDay,
      top_products: products,
      payment_methods: methods,
    };
  }

  /** The name on the product's latest order line that has one (ordered_at, order_id, line), at any time. */
  private latestName(range: RefRange, productId: string): string | null {
    const lines = this.orders
      .filter((o) => o.site === range.site && (range.bots || !o.bot))
      .flatMap((o) => o.items.filter((i) => i.product_id === productId && i.name !== null).map((i) => ({ o, i })));
    lines.sort((a, b) => b.o.at - a.o.at || cmp(b.o.order_id, a.o.order_id) || b.i.line - a.i.line);
    return lines[0]?.i.name ?? null;
  }

  scrollDepth(range: RefRange, limit = 50) {
    const scrolls = groupBy(
      this.eventsIn(range).filter((e) => e.event_type === 'scroll' && e.scroll_depth !== undefined),
      (e) => e.page?.path ?? '',
    );
    const scrolled = groupBy(
      this.pageViewsIn(range).filter((p) => p.depth !== null),
      (p) => p.path,
    );
    return [...new Set([...scrolls.keys(), ...scrolled.keys()])]
      .map((path) => {
        const events = scrolls.get(path) ?? [];
        const views = scrolled.get(path) ?? [];
        const depths = views.map((p) => Number(p.depth));
        return {
          path,
          scroll_events: events.length,
          avg_scroll_depth: views.length ? ratio2(depths.reduce((s, d) => s + d, 0), views.length) : null,
          max_scroll_depth: events.length ? Math.max(...events.map((e) => Math.round(e.scroll_depth as number))) : null,
          page_views_scrolled: views.length,
          reached_25: depths.filter((d) => d >= 25).length,
          reached_50: depths.filter((d) => d >= 50).length,
          reached_75: depths.filter((d) => d >= 75).length,
          reached_100: depths.filter((d) => d >= 100).length,
        };
      })
      .sort((a, b) => b.scroll_events - a.scroll_events || b.page_views_scrolled - a.page_views_scrolled || cmp(a.path, b.path))
      .slice(0, limit);
  }

  breakdown(range: RefRange, dimension: Dimension, limit = 50) {
    const events = groupBy(this.countedEventsIn(range), (e) => dimensionOf(e, dimension));
    const sessions = groupBy(this.sessionsIn(range), (s) => dimensionOf(s.first, dimension));
    return [...new Set([...events.keys(), ...sessions.keys()])]
      .map((value) => ({
        value,
        events: events.get(value)?.length ?? 0,
        users: new Set((sessions.get(value) ?? []).map((s) => s.first.user_id)).size,
        sessions: sessions.get(value)?.length ?? 0,
      }))
      .sort((a, b) => b.events - a.events || cmp(a.value, b.value))
      .slice(0, limit);
  }
  /**
   * Sessions starting in the range that did the steps in order: walking the session's events (any
   * time) in session order, each step takes the first event after the previous step's that matches it.
   */
  funnel(range: RefRange, steps: readonly RefFunnelStep[]) {
    const matches = (e: CanonicalEvent, step: RefFunnelStep) => {
      if (e.event_type !== step.event_type) return false;
      if (step.value === undefined) return true;
      const value = e.event_type === 'click' ? e.button_id : e.event_type === 'custom' ? e.event_name : e.page?.path;
      return value === step.value;
    };
    const reached = steps.map(() => 0);
    for (const session of this.sessionsIn(range)) {
      let at = -1;
      for (let k = 0; k < steps.length; k++) {
        at = session.events.findIndex((e, i) => i > at && matches(e, steps[k]));
        if (at === -1) break;
        reached[k]++;
      }
    }
    return steps.map((step, k) => ({
      step: k + 1,
      label: step.label,
      sessions: reached[k],
      conversion_rate: reached[0] ? ratio2(100 * reached[k], reached[0]) : 0,
      drop_off_rate: k > 0 && reached[k - 1] ? ratio2(100 * (reached[k - 1] - reached[k]), reached[k - 1]) : 0,
    }));
  }

  /**
   * Weekly cohorts by each user's first session (among the sessions the range's bots choice and
   * filters keep, starting before `to`), for the local weeks from the one holding `from` to the one
   * holding `to` − 1 ms; retained[k]: users with a session in the k-th week after, for the weeks
   * begun before `to`.
   */
  retention(range: RefRange, weeks = 8) {
    const tz = range.tz ?? 'UTC';
    const to = range.to.getTime();
    const kept = this.sessions.filter((s) => s.site === range.site && (range.bots || !s.bot) && s.start < to && this.sessionMatches(s, range));
    const byUser = groupBy(kept, (s) => s.user);
    const firstWeek = mondayOf(localDay(range.from.getTime(), tz));
    const lastWeek = mondayOf(localDay(to - 1, tz));
    const cohorts = new Map<string, Array<Set<string>>>();
    for (const [user, list] of byUser) {
      const cohort = mondayOf(localDay(Math.min(...list.map((s) => s.start)), tz));
      if (cohort < firstWeek || cohort > lastWeek) continue;
      let cells = cohorts.get(cohort);
      if (!cells) {
        const begun = Array.from({ length: weeks }, (_, k) => k).filter((k) => localMidnight(addDays(cohort, 7 * k), tz) < to).length;
        cohorts.set(cohort, (cells = Array.from({ length: begun }, () => new Set<string>())));
      }
      for (const s of list) {
        const week = Math.floor(daysBetween(cohort, localDay(s.start, tz)) / 7);
        if (week < cells.length) cells[week].add(user);
      }
    }
    return [...cohorts.entries()]
      .sort(([a], [b]) => cmp(a, b))
      .map(([cohort, cells]) => ({
        cohort,
        users: cells[0].size,
        retained: cells.map((c) => c.size),
        rates: cells.map((c) => ratio2(100 * c.size, cells[0].size)),
      }));
  }

  /** Every site with events (so with sessions), and those of the live rollups, sorted. */
  sites(liveSites: readonly string[]) {
    return [...new Set([...this.events.map((e) => e.site_id), ...liveSites])].sort(cmp).map((site_id) => ({ site_id }));
  }
}
