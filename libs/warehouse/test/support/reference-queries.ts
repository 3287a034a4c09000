// The API's metrics computed the plain way, in memory, straight from canonical events and the
// definitions in shared/DESIGN.md ("Metric definitions") — a second implementation the SQL of
// src/queries is compared with. It shares no code with the library: sessions, page views and orders
// are rebuilt here from the events, days and buckets come from Intl, and every rounded figure is
// computed from integers (milliseconds, cents) so that rounding to 2 decimals is exact.
//
// Like the models, sessions and orders are kept apart by is_bot: with bots included, a session (or
// order) that has both human and bot events counts once on each side.
import type { CanonicalEvent } from '@clickstream/event-schema';
import { bySessionOrder, cmp, distinctEvents, groupBy } from './reference-models';

export interface RefRange {
  site: string;
  from: Date;
  to: Date;
  tz?: string;
  bots?: boolean;
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
}

interface PageView {
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

export class ReferenceQueries {
  private readonly events: CanonicalEvent[];
  private readonly sessions: Session[] = [];
  private readonly pageViews: PageView[] = [];
  private readonly orders: Order[] = [];

  constructor(all: readonly CanonicalEvent[]) {
    // the warehouse keeps the first of events with the same (site_id, event_id)
    this.events = distinctEvents(all);

    for (const list of groupBy(this.events, (e) => `${e.site_id}\u0000${e.session_id}\u0000${e.context.is_bot}`).values()) {
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
      });
      list.forEach((e, i) => {
        if (e.event_type !== 'page_view') return;
        const rest = list.slice(i + 1);
        const nextView = rest.findIndex((x) => x.event_type === 'page_view');
        const before = nextView === -1 ? rest : rest.slice(0, nextView);
        const end = rest.find((x) => ['page_view', 'page_close', 'session_end'].includes(x.event_type));
        const depths = before.filter((x) => x.event_type === 'scroll' && x.scroll_depth !== undefined).map((x) => Math.round(x.scroll_depth as number));
        this.pageViews.push({
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
  private eventsIn(range: RefRange): CanonicalEvent[] {
    return this.inRange(this.events, range, (e) => time(e.event_time), (e) => e.site_id, (e) => e.context.is_bot);
  }
  private sessionsIn(range: RefRange): Session[] {
    return this.inRange(this.sessions, range, (s) => s.start, (s) => s.site, (s) => s.bot);
  }
  private pageViewsIn(range: RefRange): PageView[] {
    return this.inRange(this.pageViews, range, (p) => p.at, (p) => p.site, (p) => p.bot);
  }
  private ordersIn(range: RefRange): Order[] {
    return this.inRange(this.orders, range, (o) => o.at, (o) => o.site, (o) => o.bot);
  }

  // ── the metrics ──

  overview(range: RefRange) {
    const totals = (r: RefRange) => {
      const events = this.eventsIn(r);
      const sessions = this.sessionsIn(r);
      const durationMs = sessions.reduce((s, x) => s + x.durationMs, 0);
      return {
        events: events.length,
        page_views: events.filter((e) => e.event_type === 'page_view').length,
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
    return [...groupBy(this.eventsIn(range), (e) => e.event_type).entries()]
      .map(([event_type, list]) => ({ event_type, events: list.length }))
      .sort((a, b) => b.events - a.events || cmp(a.event_type, b.event_type));
  }

  timeseries(range: RefRange, metric: Metric, interval: Interval) {
    const tz = range.tz ?? 'UTC';
    // each metric as (instant, what it adds) pairs
    const points: Array<{ at: number; key: string; amount: number }> = (() => {
      switch (metric) {
        case 'events':
          return this.eventsIn(range).map((e) => ({ at: time(e.event_time), key: e.event_id, amount: 1 }));
        case 'page_views':
          return this.eventsIn(range)
            .filter((e) => e.event_type === 'page_view')
            .map((e) => ({ at: time(e.event_time), key: e.event_id, amount: 1 }));
        case 'users':
          return this.eventsIn(range).map((e) => ({ at: time(e.event_time), key: e.user_id, amount: 1 }));
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
    const events = groupBy(this.eventsIn(range), (e) => dimensionOf(e, dimension));
    const sessions = groupBy(this.sessionsIn(range), (s) => dimensionOf(s.first, dimension));
    return [...new Set([...events.keys(), ...sessions.keys()])]
      .map((value) => ({
        value,
        events: events.get(value)?.length ?? 0,
        users: new Set((events.get(value) ?? []).map((e) => e.user_id)).size,
        sessions: sessions.get(value)?.length ?? 0,
      }))
      .sort((a, b) => b.events - a.events || cmp(a.value, b.value))
      .slice(0, limit);
  }
}
