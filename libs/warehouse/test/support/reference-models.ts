// The models computed the plain way, in memory, from the definitions in shared/DESIGN.md — a
// second implementation the SQL rebuild is compared with. Simple loops over sorted events; no
// attempt at speed. Values are normalised the way `readModels` normalises the tables.
import type { CanonicalEvent } from '@clickstream/event-schema';

type Row = Record<string, string | number | boolean | null>;
export type Models = Record<string, Row[]>;

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const cents = (x: number) => Math.round(x * 100) / 100;
const hourOf = (iso: string) => `${iso.slice(0, 13)}:00:00.000Z`;
const dayOf = (iso: string) => iso.slice(0, 10);
const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
/** What the events table keeps of a scroll depth: whole percentages. */
const depthOf = (e: CanonicalEvent) => (e.scroll_depth === undefined ? null : Math.round(e.scroll_depth));

/** Session order: event_time, then received_at, then event_id. */
export function bySessionOrder(a: CanonicalEvent, b: CanonicalEvent): number {
  return cmp(a.event_time, b.event_time) || cmp(a.received_at, b.received_at) || cmp(a.event_id, b.event_id);
}
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** The events a load keeps: the first occurrence of each (site_id, event_id). */
export function distinctEvents(events: readonly CanonicalEvent[]): CanonicalEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    const k = `${e.site_id}\u0000${e.event_id}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** sessions.kinds: a letter per event, written out here rather than taken from the warehouse code. */
const KIND_LETTER: Record<CanonicalEvent['event_type'], string> = {
  page_view: 'v',
  page_close: 'x',
  click: 'c',
  scroll: 's',
  purchase: 'p',
  session_start: 'b',
  session_end: 'e',
  custom: 'u',
};

export function referenceModels(allEvents: readonly CanonicalEvent[]): Models {
  const events = distinctEvents(allEvents);
  const sessions: Row[] = [];
  const pageViews: Row[] = [];

  const bySession = groupBy(events, (e) => `${e.site_id}\u0000${e.session_id}\u0000${e.context.is_bot}`);
  for (const list of bySession.values()) {
    list.sort(bySessionOrder);
    const first = list[0];
    const last = list[list.length - 1];
    const views = list.filter((e) => e.event_type === 'page_view');
    const clicks = list.filter((e) => e.event_type === 'click').length;
    const purchases = list.filter((e) => e.event_type === 'purchase').length;
    sessions.push({
      site_id: first.site_id,
      session_id: first.session_id,
      is_bot: first.context.is_bot,
      user_id: first.user_id,
      started_at: first.event_time,
      ended_at: last.event_time,
      duration_seconds: round6(seconds(first.event_time, last.event_time)),
      events: list.length,
      page_views: views.length,
      clicks,
      purchases,
      is_bounce: views.length === 1 && clicks === 0 && purchases === 0,
      entry_path: views[0]?.page?.path ?? null,
      exit_path: views[views.length - 1]?.page?.path ?? null,
      country: first.context.country ?? null,
      device_type: first.context.device_type ?? null,
      browser: first.context.browser ?? null,
      os: first.context.os ?? null,
      referrer_domain: first.context.referrer_domain ?? null,
      utm_source: first.context.utm?.source ?? null,
      kinds: list.map((e) => KIND_LETTER[e.event_type]).join(''),
    });

    list.forEach((e, i) => {
      if (e.event_type !== 'page_view') return;
      let next: CanonicalEvent | undefined;
      let depth: number | null = null;
      let j = i + 1;
      for (; j < list.length && list[j].event_type !== 'page_view'; j++) {
        const d = depthOf(list[j]);
        if (list[j].event_type === 'scroll' && d !== null) depth = depth === null ? d : Math.max(depth, d);
        if (!next && (list[j].event_type === 'page_close' || list[j].event_type === 'session_end')) next = list[j];
      }
      if (!next && j < list.length) next = list[j];
      pageViews.push({
        site_id: e.site_id,
        event_id: e.event_id,
        session_id: e.session_id,
        is_bot: e.context.is_bot,
        user_id: e.user_id,
        viewed_at: e.event_time,
        path: e.page?.path ?? null,
        time_on_page_seconds: next ? round6(seconds(e.event_time, next.event_time)) : null,
        scroll_depth: depth,
        is_exit: e === views[views.length - 1],
      });
    });
  }

  // Orders: the first purchase event (session order) of each order_id, per human/bot side.
  const orders: Row[] = [];
  const orderItems: Row[] = [];
  const purchases = events.filter((e) => e.event_type === 'purchase' && e.order);
  for (const list of groupBy(purchases, (e) => `${e.site_id}\u0000${e.order?.order_id}\u0000${e.context.is_bot}`).values()) {
    const e = [...list].sort(bySessionOrder)[0];
    const order = e.order as NonNullable<CanonicalEvent['order']>;
    const items = order.items ?? [];
    orders.push({
      site_id: e.site_id,
      order_id: order.order_id,
      is_bot: e.context.is_bot,
      event_id: e.event_id,
      user_id: e.user_id,
      session_id: e.session_id,
      ordered_at: e.event_time,
      amount: cents(order.amount),
      currency: order.currency,
      payment_method: order.payment_method ?? null,
      items: items.length,
    });
    items.forEach((item, i) =>
      orderItems.push({
        site_id: e.site_id,
        order_id: order.order_id,
        is_bot: e.context.is_bot,
        line: i + 1,
        ordered_at: e.event_time,
        product_id: item.product_id,
        name: item.name ?? null,
        category: item.category ?? null,
        price: item.price,
        quantity: item.quantity,
        revenue: cents(item.price * item.quantity),
      }),
    );
  }

  const products: Row[] = [];
  for (const list of groupBy(orderItems, (i) => `${i.site_id}\u0000${i.product_id}\u0000${i.is_bot}`).values()) {
    // latest first: ordered_at, then order_id, then line, all descending
    const latest = [...list].sort(
      (a, b) => cmp(String(b.ordered_at), String(a.ordered_at)) || cmp(String(b.order_id), String(a.order_id)) || Number(b.line) - Number(a.line),
    );
    products.push({
      site_id: list[0].site_id,
      product_id: list[0].product_id,
      is_bot: list[0].is_bot,
      name: latest.find((i) => i.name !== null)?.name ?? null,
      category: latest.find((i) => i.category !== null)?.category ?? null,
      last_price: latest[0].price,
      first_ordered_at: latest[latest.length - 1].ordered_at,
      last_ordered_at: latest[0].ordered_at,
      orders: new Set(list.map((i) => i.order_id)).size,
      quantity: list.reduce((s, i) => s + Number(i.quantity), 0),
      revenue: cents(list.reduce((s, i) => s + Number(i.revenue), 0)),
    });
  }

  const users: Row[] = [];
  for (const list of groupBy(sessions, (s) => `${s.site_id}\u0000${s.user_id}\u0000${s.is_bot}`).values()) {
    const sorted = [...list].sort((a, b) => cmp(String(a.started_at), String(b.started_at)) || cmp(String(a.session_id), String(b.session_id)));
    users.push({
      site_id: list[0].site_id,
      user_id: list[0].user_id,
      is_bot: list[0].is_bot,
      first_seen: sorted[0].started_at,
      last_seen: list.map((s) => String(s.ended_at)).sort().at(-1) as string,
      sessions: list.length,
      events: list.reduce((sum, s) => sum + Number(s.events), 0),
      country: sorted[0].country,
      device_type: sorted[0].device_type,
    });
  }

  const hourKey = (r: Row, time: string) => `${r.site_id}\u0000${hourOf(String(r[time]))}\u0000${r.is_bot}`;

  const sessionMetrics = [...groupBy(sessions, (s) => hourKey(s, 'started_at')).values()].map((list) => ({
    site_id: list[0].site_id,
    hour: hourOf(String(list[0].started_at)),
    is_bot: list[0].is_bot,
    sessions: list.length,
    bounces: list.filter((s) => s.is_bounce).length,
    duration_seconds_sum: round6(list.reduce((sum, s) => sum + Number(s.duration_seconds), 0)),
    page_views_sum: list.reduce((sum, s) => sum + Number(s.page_views), 0),
  }));

  const pathOf = (r: Row) => String(r.path ?? '');
  const engagement = [...groupBy(pageViews, (p) => `${hourKey(p, 'viewed_at')}\u0000${pathOf(p)}`).values()].map((list) => {
    const timed = list.filter((p) => p.time_on_page_seconds !== null);
    const scrolled = list.filter((p) => p.scroll_depth !== null);
    return {
      site_id: list[0].site_id,
      hour: hourOf(String(list[0].viewed_at)),
      is_bot: list[0].is_bot,
      path: pathOf(list[0]),
      page_views: list.length,
      time_on_page_seconds_sum: round6(timed.reduce((s, p) => s + Number(p.time_on_page_seconds), 0)),
      time_on_page_count: timed.length,
      scroll_depth_sum: scrolled.reduce((s, p) => s + Number(p.scroll_depth), 0),
      scroll_depth_count: scrolled.length,
      exits: list.filter((p) => p.is_exit).length,
    };
  });
  const engagementByKey = new Map(engagement.map((r) => [`${r.site_id}\u0000${r.hour}\u0000${r.is_bot}\u0000${r.path}`, r]));

  const eventKey = (e: CanonicalEvent) => `${e.site_id}\u0000${hourOf(e.event_time)}\u0000${e.context.is_bot}\u0000${e.page?.path ?? ''}`;
  const clickThrough = [...groupBy(events.filter((e) => e.event_type === 'click'), (e) => `${eventKey(e)}\u0000${e.button_id ?? ''}`).values()].map((list) => {
    const e = list[0];
    const views = engagementByKey.get(eventKey(e))?.page_views ?? 0;
    return {
      site_id: e.site_id,
      hour: hourOf(e.event_time),
      is_bot: e.context.is_bot,
      path: e.page?.path ?? '',
      button_id: e.button_id ?? '',
      clicks: list.length,
      page_views: views,
      ctr: views > 0 ? cents((list.length / views) * 100) : null,
    };
  });

  const scrollRows = new Map<string, Row>();
  const scrollRow = (key: string, base: { site_id: string; hour: string; is_bot: boolean; path: string }) => {
    let row = scrollRows.get(key);
    if (!row) {
      row = { ...base, scroll_events: 0, scroll_depth_sum: 0, max_scroll_depth: 0, reached_25: 0, reached_50: 0, reached_75: 0, reached_100: 0 };
      scrollRows.set(key, row);
    }
    return row;
  };
  for (const e of events) {
    const d = depthOf(e);
    if (e.event_type !== 'scroll' || d === null) continue;
    const row = scrollRow(eventKey(e), { site_id: e.site_id, hour: hourOf(e.event_time), is_bot: e.context.is_bot, path: e.page?.path ?? '' });
    row.scroll_events = Number(row.scroll_events) + 1;
    row.scroll_depth_sum = Number(row.scroll_depth_sum) + d;
    row.max_scroll_depth = Math.max(Number(row.max_scroll_depth), d);
  }
  for (const p of pageViews) {
    if (p.scroll_depth === null || Number(p.scroll_depth) < 25) continue;
    const base = { site_id: String(p.site_id), hour: hourOf(String(p.viewed_at)), is_bot: Boolean(p.is_bot), path: pathOf(p) };
    const row = scrollRow(`${base.site_id}\u0000${base.hour}\u0000${base.is_bot}\u0000${base.path}`, base);
    for (const level of [25, 50, 75, 100]) if (Number(p.scroll_depth) >= level) row[`reached_${level}`] = Number(row[`reached_${level}`]) + 1;
  }

  const revenue = [...groupBy(orders, (o) => `${hourKey(o, 'ordered_at')}\u0000${o.currency}`).values()].map((list) => ({
    site_id: list[0].site_id,
    hour: hourOf(String(list[0].ordered_at)),
    is_bot: list[0].is_bot,
    currency: list[0].currency,
    orders: list.length,
    revenue: cents(list.reduce((s, o) => s + Number(o.amount), 0)),
    items_sold: orderItems.filter((i) => list.some((o) => o.order_id === i.order_id && o.site_id === i.site_id && o.is_bot === i.is_bot)).reduce((s, i) => s + Number(i.quantity), 0),
  }));

  // events per type, and users (with their events of every type), per UTC hour of event_time
  const eventCounts = [...groupBy(events, (e) => `${e.site_id}\u0000${hourOf(e.event_time)}\u0000${e.context.is_bot}\u0000${e.event_type}`).values()].map((list) => ({
    site_id: list[0].site_id,
    hour: hourOf(list[0].event_time),
    is_bot: list[0].context.is_bot,
    event_type: list[0].event_type,
    events: list.length,
  }));
  const userHours = [...groupBy(events, (e) => `${e.site_id}\u0000${hourOf(e.event_time)}\u0000${e.context.is_bot}\u0000${e.user_id}`).values()].map((list) => ({
    site_id: list[0].site_id,
    hour: hourOf(list[0].event_time),
    is_bot: list[0].context.is_bot,
    user_id: list[0].user_id,
    events: list.length,
  }));

  // per breakdown dimension value: events by each event's own value, sessions and their users by the
  // value of the session's first event; users starting sessions; each path's users (users by user_id:
  // the tables' user numbers are read back as the ids they stand for)
  const dimensionsOf = (c: { country?: string | null; device_type?: string | null; browser?: string | null; os?: string | null; referrer_domain?: string | null; utm_source?: string | null }) =>
    (['country', 'device_type', 'browser', 'os', 'referrer_domain', 'utm_source'] as const).map((dimension) => ({ dimension, value: c[dimension] ?? '(none)' }));
  const eventDimensions = (e: CanonicalEvent) => dimensionsOf({ ...e.context, utm_source: e.context.utm?.source });
  const eventDimensionRows = new Map<string, Row>();
  const dimensionUsers = new Map<string, Row>();
  for (const e of events) {
    for (const { dimension, value } of eventDimensions(e)) {
      const base = { site_id: e.site_id, dimension, hour: hourOf(e.event_time), is_bot: e.context.is_bot, value };
      const k = JSON.stringify(base);
      const row = eventDimensionRows.get(k) ?? { ...base, events: 0 };
      row.events = Number(row.events) + 1;
      eventDimensionRows.set(k, row);
    }
  }
  const sessionDimensionRows = new Map<string, Row>();
  for (const x of sessions) {
    for (const { dimension, value } of dimensionsOf(x as never)) {
      const base = { site_id: x.site_id, dimension, hour: hourOf(String(x.started_at)), is_bot: x.is_bot, value };
      const k = JSON.stringify(base);
      const row = sessionDimensionRows.get(k) ?? { ...base, sessions: 0 };
      row.sessions = Number(row.sessions) + 1;
      sessionDimensionRows.set(k, row);
    }
  }
  for (const x of sessions) {
    const row: Row = { site_id: x.site_id, hour: hourOf(String(x.started_at)), is_bot: x.is_bot, user_id: x.user_id };
    for (const { dimension, value } of dimensionsOf(x as never)) row[dimension] = value;
    dimensionUsers.set(JSON.stringify(row), row);
  }
  const sessionUserHours = [...groupBy(sessions, (x) => `${hourKey(x, 'started_at')}\u0000${x.user_id}`).values()].map((list) => ({
    site_id: list[0].site_id,
    hour: hourOf(String(list[0].started_at)),
    is_bot: list[0].is_bot,
    user_id: list[0].user_id,
    sessions: list.length,
  }));
  const pageUserHours = [...groupBy(pageViews, (p) => `${hourKey(p, 'viewed_at')}\u0000${pathOf(p)}\u0000${p.user_id}`).values()].map((list) => ({
    site_id: list[0].site_id,
    hour: hourOf(String(list[0].viewed_at)),
    is_bot: list[0].is_bot,
    path: pathOf(list[0]),
    user_id: list[0].user_id,
  }));
  // The user sets: rows of a user table grouped by `key` (site, hour or UTC day, side, …), each
  // group's users as the set's members (user ids, sorted, as JSON).
  const userSets = (rows: readonly Row[], key: (r: Row) => Row) =>
    [...groupBy(rows, (r) => JSON.stringify(key(r))).values()].map((list) => ({
      ...key(list[0]),
      users: JSON.stringify([...new Set(list.map((r) => String(r.user_id)))].sort()),
    }));
  const hourSetKey = (r: Row) => ({ site_id: r.site_id, hour: r.hour, is_bot: r.is_bot });
  // dimension_user_hours unfolded: a row per dimension, attributed as there
  const dimensionUserRows = [...dimensionUsers.values()].flatMap((row) => dimensionsOf(row as never).map(({ dimension, value }) => ({ ...row, dimension, value })));

  const days = new Set<string>();
  for (const e of events) days.add(dayOf(e.event_time));
  const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const dimDate = [...days].map((day) => {
    const d = new Date(`${day}T00:00:00Z`);
    const dow = d.getUTCDay() === 0 ? 7 : d.getUTCDay();
    // ISO week: the week of the Thursday of this date's week
    const thursday = new Date(d.getTime() + (4 - dow) * 86_400_000);
    const isoYear = thursday.getUTCFullYear();
    const week = Math.floor((thursday.getTime() - Date.UTC(isoYear, 0, 1)) / (7 * 86_400_000)) + 1;
    return {
      date: day,
      year: d.getUTCFullYear(),
      quarter: Math.floor(d.getUTCMonth() / 3) + 1,
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      day_of_week: dow,
      iso_week: week,
      iso_year: isoYear,
      is_weekend: dow >= 6,
      month_name: MONTH_NAMES[d.getUTCMonth()],
      day_name: DAY_NAMES[d.getUTCDay()],
    };
  });

  return {
    sessions,
    page_views: pageViews,
    session_metrics_daily: sessionMetrics,
    page_engagement_daily: engagement,
    click_through_daily: clickThrough,
    scroll_depth_daily: [...scrollRows.values()],
    orders,
    order_items: orderItems,
    revenue_daily: revenue,
    event_counts_hourly: eventCounts,
    user_hours: userHours,
    event_dimension_hourly: [...eventDimensionRows.values()],
    dimension_user_hours: [...dimensionUsers.values()],
    session_dimension_hourly: [...sessionDimensionRows.values()],
    session_user_hours: sessionUserHours,
    page_user_hours: pageUserHours,
    page_user_days: userSets(pageUserHours, (r) => ({ site_id: r.site_id, day: dayOf(String(r.hour)), is_bot: r.is_bot, path: r.path })),
    user_hour_sets: userSets(userHours, hourSetKey),
    session_user_hour_sets: userSets(sessionUserHours, hourSetKey),
    dimension_user_days: userSets(dimensionUserRows, (r) => ({ site_id: r.site_id, day: dayOf(String(r.hour)), is_bot: r.is_bot, dimension: r.dimension, value: r.value })),
    products,
    users,
    dim_date: dimDate,
  };
}

export const MODEL_TABLES = [
  'sessions',
  'page_views',
  'session_metrics_daily',
  'page_engagement_daily',
  'click_through_daily',
  'scroll_depth_daily',
  'orders',
  'order_items',
  'revenue_daily',
  'event_counts_hourly',
  'user_hours',
  'event_dimension_hourly',
  'dimension_user_hours',
  'session_dimension_hourly',
  'session_user_hours',
  'page_user_hours',
  'page_user_days',
  'dimension_user_days',
  'user_hour_sets',
  'session_user_hour_sets',
  'products',
  'users',
  'dim_date',
] as const;

/** Rows as comparable text lines, sorted: every column, in a fixed order. */
export function canonicalRows(rows: readonly Row[]): string[] {
  return rows.map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]))).sort();
}
