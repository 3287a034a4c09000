// Rebuilds the analytics models (schema/models.ts) for the (site, day) pairs a load touched.
//
// What a new event can change, and so what is recomputed:
// - its session (every session with an event on a touched day), whole, from all of its events on
//   any day: the `sessions` and `page_views` rows of those sessions are replaced;
// - the orders whose purchase events are in those sessions (from every purchase event of the same
//   order_id), their lines, and the products and users those rows belong to;
// - the hour-grain tables for every day those sessions and orders have rows on (a session that
//   started yesterday and got a late event today moves yesterday's figures too); the ones that count
//   events themselves (clicks, scrolls, events per type, users per hour, events per breakdown
//   dimension value) for the touched days only. Users are counted by their user_numbers, which a
//   rebuild gives to users it sees for the first time.
// Everything runs in one transaction under an advisory lock, so two rebuilds never interleave and a
// failed one leaves the models as they were. Events in one session are ordered by (event_time,
// received_at, event_id), which is total, so a re-run gives the same rows.
import { createHash } from 'node:crypto';
import type { Sql, TransactionSql } from 'postgres';
import type { SiteDay } from '../copy-events';
import type { WarehouseLogger } from '../logger';
import { BREAKDOWN_DIMENSION_COLUMNS, sessionKindLetter } from '../schema/models';

export interface RebuildOptions {
  /** The (site, UTC day of event_time) pairs whose events changed. */
  touched: readonly SiteDay[];
  logger?: WarehouseLogger;
}

export interface RebuildResult {
  /** (site, day) pairs whose hour-grain rows were recomputed (the touched ones and the days their sessions span). */
  siteDays: number;
  sessions: number;
  pageViews: number;
  orders: number;
  milliseconds: number;
}

/** The advisory lock key that serialises model rebuilds of one schema. */
export function modelLockKey(schema: string): string {
  return createHash('sha256').update(`clickstream:models:${schema}`).digest().readBigInt64BE(0).toString();
}

/** `a, b` → `t.a, t.b`. */
function prefixed(table: string, columns: string): string {
  return columns
    .split(',')
    .map((c) => `${table}.${c.trim()}`)
    .join(', ');
}

/** The session's event order, a total order: the same events always give the same rows. */
const SESSION_ORDER = 'event_time, received_at, event_id';

/** What identifies a session in the models, led by the session id's hash (`sh`, cheap to sort on). */
const SESSION_KEY = (t: string) => `${t}.sh, ${t}.site_id, ${t}.session_id, ${t}.is_bot`;

/** `cross join lateral` one row per breakdown dimension of `alias`: (dimension, value). */
function unfoldDimensions(alias: string): string {
  return `cross join lateral (values ${BREAKDOWN_DIMENSION_COLUMNS.map((c) => `('${c}', ${alias}.${c})`).join(', ')}) as d(dimension, value)`;
}

/** The events columns the rebuild reads (the wide payload stays behind). */
const EVENT_COLUMNS = `site_id, session_id, is_bot, event_id, event_type, user_id, event_time, received_at, page_path,
  button_id, scroll_depth, order_id, country, device_type, browser, os, referrer_domain, utm_source`;

/**
 * Recomputes every model row that depends on the touched days, in one transaction, under an advisory
 * lock (one rebuild at a time per schema). Deterministic: the same events give the same rows.
 */
export async function rebuildModels(sql: Sql, options: RebuildOptions): Promise<RebuildResult> {
  const started = process.hrtime.bigint();
  const touched = options.touched.map((t) => ({ site_id: t.siteId, day: t.day }));
  for (const t of touched) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(t.day)) throw new Error(`rebuildModels: day must be YYYY-MM-DD, got ${JSON.stringify(t.day)}`);
  }
  if (touched.length === 0) return { siteDays: 0, sessions: 0, pageViews: 0, orders: 0, milliseconds: 0 };

  const result = await sql.begin(async (tx) => {
    const [{ schema }] = await tx<[{ schema: string }]>`select current_schema() as schema`;
    await tx`select pg_advisory_xact_lock(${modelLockKey(schema)}::bigint)`;
    await tx`set local work_mem = '256MB'`;
    await tx`set local timezone = 'UTC'`;
    return rebuildIn(tx, touched, options.logger);
  });
  const milliseconds = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
  options.logger?.info({ ...result, milliseconds }, 'models rebuilt');
  return { ...result, milliseconds };
}

async function rebuildIn(
  tx: TransactionSql,
  touched: Array<{ site_id: string; day: string }>,
  logger: WarehouseLogger | undefined,
): Promise<Omit<RebuildResult, 'milliseconds'>> {
  // each statement's time at debug level: where a slow rebuild spends it
  const run = async (statement: string) => {
    const started = Date.now();
    const result = await tx.unsafe(statement);
    logger?.debug?.({ milliseconds: Date.now() - started, statement: statement.trim().replace(/\s+/g, ' ').slice(0, 100) }, 'model rebuild step');
    return result;
  };

  await run(`create temp table rb_days (site_id text not null, day date not null, primary key (site_id, day)) on commit drop`);
  await tx`insert into rb_days select distinct site_id, day from json_to_recordset(${JSON.stringify(touched)}::json) as t(site_id text, day date)`;
  // Temp tables have no statistics until analysed: unplanned, the days joined to a model table
  // were taken for ~1,300 rows and the model tables scanned whole (a day's rebuild in a 10M-event
  // warehouse took 87 s), where a few days want an index range scan each.
  await run(`analyze rb_days`);

  // The sessions with an event on a touched day, and all of their events (on any day), in session
  // order. The touched days are read with one range scan each; only the events those sessions have
  // on other days are looked up session by session (on_day tells the two apart later, without a join
  // on the days). Sorting and grouping by a hash of the session id first keeps comparisons cheap when
  // ids share long prefixes. The day events are written in session order: the window, grouping and
  // distinct-on sorts below then find their input (nearly) in order, which PostgreSQL's sort notices.
  await run(`
    create temp table rb_events on commit drop as
    select hashtextextended(e.session_id, 0) as sh, true as on_day, ${prefixed('e', EVENT_COLUMNS)}
    from rb_days d
    join events e on e.site_id = d.site_id and e.event_time >= d.day::timestamp at time zone 'UTC' and e.event_time < (d.day + 1)::timestamp at time zone 'UTC'
    order by 1, ${prefixed('e', 'site_id, session_id, is_bot')}, ${prefixed('e', SESSION_ORDER)}`);
  await run(`create temp table rb_sessions on commit drop as select distinct site_id, session_id from rb_events`);
  // Each site's time outside its touched days: before the first, after the last, and any gap
  // between them. Looking each session up only there reads just its events on other days (usually
  // none) from the (site, session, time) index, not all of its events again. A range in which the
  // site has no event at all (after the last day loaded, usually; before the first in a new
  // warehouse) is left out: two index probes per site spare one per session.
  await run(`
    create temp table rb_other_ranges on commit drop as
    with ranges as (
      select site_id, '-infinity'::timestamptz as from_t, min(day)::timestamp at time zone 'UTC' as to_t from rb_days group by site_id
      union all
      select site_id, (max(day) + 1)::timestamp at time zone 'UTC', 'infinity'::timestamptz from rb_days group by site_id
      union all
      select site_id, (day + 1)::timestamp at time zone 'UTC', next_day::timestamp at time zone 'UTC'
      from (select site_id, day, lead(day) over (partition by site_id order by day) as next_day from rb_days) g
      where next_day > day + 1
    ), spans as (
      select s.site_id,
             (select min(e.event_time) from events e where e.site_id = s.site_id) as first_t,
             (select max(e.event_time) from events e where e.site_id = s.site_id) as last_t
      from (select distinct site_id from rb_days) s
    )
    select r.site_id, r.from_t, r.to_t
    from ranges r join spans p on p.site_id = r.site_id
    where r.from_t <= p.last_t and r.to_t > p.first_t`);
  await run(`
    insert into rb_events
    select hashtextextended(e.session_id, 0), false, ${prefixed('e', EVENT_COLUMNS)}
    from rb_sessions s
    join rb_other_ranges r on r.site_id = s.site_id
    join events e on e.site_id = s.site_id and e.session_id = s.session_id and e.event_time >= r.from_t and e.event_time < r.to_t`);
  await run(`analyze rb_events`);

  // Users seen for the first time get the next numbers of their site (user_numbers: numbers are
  // never reused or changed, so rows written by earlier rebuilds keep meaning the same user).
  await run(`
    insert into user_numbers (site_id, user_id, user_no)
    select u.site_id, u.user_id, coalesce(m.max_no, 0) + row_number() over (partition by u.site_id order by u.user_id)
    from (select distinct site_id, user_id from rb_events) u
    -- each site's highest number, looked up once per site (by user_numbers_site_no_idx)
    left join (
      select s.site_id, (select max(x.user_no) from user_numbers x where x.site_id = s.site_id) as max_no
      from (select distinct site_id from rb_events) s
    ) m on m.site_id = u.site_id
    where not exists (select 1 from user_numbers k where k.site_id = u.site_id and k.user_id = u.user_id)`);
  // the joins below read user_numbers for every touched event: plan them on its current size
  await run(`analyze user_numbers`);

  // The users and products whose dimension rows must follow, before and after.
  await run(`create temp table rb_users (site_id text not null, user_id text not null) on commit drop`);
  await run(`create temp table rb_products (site_id text not null, product_id text not null) on commit drop`);

  // ── page_views ──
  // One pass in session order over page views, scrolls and the events that end a page view. pv_group
  // numbers the page view an event belongs to (page views so far, itself included; 0 before the
  // first), so each group is one page view and what follows it up to the next one:
  // - time on page runs to the next page_view, page_close or session_end: the group's first close
  //   (or session end) if it has one, else the next group's page view;
  // - scroll depth is the deepest scroll in the group;
  // - the session's last group is its exit.
  // A group has exactly one page_view, so an aggregate filtered to it reads that event's values.
  await run(`
    create temp table rb_page_views on commit drop as
    select sh, site_id, event_id, session_id, is_bot, user_id, viewed_at, path,
           extract(epoch from coalesce(closed_at, lead(viewed_at) over s) - viewed_at)::float8 as time_on_page_seconds,
           scroll_depth, pv_group, lead(pv_group) over s is null as is_exit
    from (
      select sh, site_id, session_id, is_bot, pv_group,
             max(event_id::text) filter (where event_type = 'page_view')::uuid as event_id,
             max(user_id) filter (where event_type = 'page_view') as user_id,
             min(event_time) filter (where event_type = 'page_view') as viewed_at,
             max(page_path) filter (where event_type = 'page_view') as path,
             min(event_time) filter (where event_type in ('page_close', 'session_end')) as closed_at,
             max(scroll_depth) filter (where event_type = 'scroll') as scroll_depth
      from (
        select sh, site_id, session_id, is_bot, event_id, event_type, user_id, event_time, page_path, scroll_depth,
               count(*) filter (where event_type = 'page_view') over w as pv_group
        from rb_events
        where event_type in ('page_view', 'page_close', 'session_end', 'scroll')
        window w as (partition by ${SESSION_KEY('rb_events')} order by ${SESSION_ORDER} rows between unbounded preceding and current row)
      ) n
      where pv_group > 0
      group by sh, site_id, session_id, is_bot, pv_group
    ) g
    window s as (partition by sh, site_id, session_id, is_bot order by pv_group)`);
  const sameSession = (a: string, b: string) =>
    `${a}.sh = ${b}.sh and ${a}.site_id = ${b}.site_id and ${a}.session_id = ${b}.session_id and ${a}.is_bot = ${b}.is_bot`;
  // Session joins match on four columns that go together (hash, site, session, bot side); the planner
  // multiplies their selectivities, expects one row and would pick nested loops over hundreds of
  // thousands. Between these temp tables only hash joins make sense.
  await run(`set local enable_nestloop = off`);
  // temp tables have no statistics until analysed, and a planner that guesses one row picks nested loops
  await run(`analyze rb_page_views`);
  await run(`delete from page_views p using rb_sessions s where p.site_id = s.site_id and p.session_id = s.session_id`);
  const pageViews = await run(`
    insert into page_views (site_id, event_id, session_id, is_bot, user_id, viewed_at, path, time_on_page_seconds, scroll_depth, is_exit)
    select site_id, event_id, session_id, is_bot, user_id, viewed_at, path, time_on_page_seconds, scroll_depth, is_exit from rb_page_views`);

  // ── sessions ──
  await run(`
    with gone as (
      delete from sessions x using rb_sessions s where x.site_id = s.site_id and x.session_id = s.session_id
      returning x.site_id, x.user_id
    )
    insert into rb_users select site_id, user_id from gone`);
  await run(`
    create temp table rb_session_totals on commit drop as
    select sh, site_id, session_id, is_bot, min(event_time) as started_at, max(event_time) as ended_at, count(*)::int as events,
           (count(*) filter (where event_type = 'page_view'))::int as page_views,
           (count(*) filter (where event_type = 'click'))::int as clicks,
           (count(*) filter (where event_type = 'purchase'))::int as purchases,
           string_agg(${sessionKindLetter('rb_events')}, '' order by ${SESSION_ORDER}) as kinds
    from rb_events group by sh, site_id, session_id, is_bot`);
  await run(`analyze rb_session_totals`);
  const sessions = await run(`
    insert into sessions (site_id, session_id, is_bot, user_id, started_at, ended_at, duration_seconds, events, page_views,
                          clicks, purchases, is_bounce, entry_path, exit_path, country, device_type, browser, os,
                          referrer_domain, utm_source, kinds)
    select a.site_id, a.session_id, a.is_bot, f.user_id, a.started_at, a.ended_at,
           extract(epoch from a.ended_at - a.started_at)::float8,
           a.events, a.page_views, a.clicks, a.purchases,
           a.page_views = 1 and a.clicks = 0 and a.purchases = 0,
           entry.path, exit.path,
           f.country, f.device_type, f.browser, f.os, f.referrer_domain, f.utm_source, a.kinds
    from rb_session_totals a
    -- the first event: among those at the session's first instant, the first in session order
    join (
      select distinct on (e.sh, e.site_id, e.session_id, e.is_bot) e.*
      from rb_events e
      join rb_session_totals m on ${sameSession('m', 'e')} and e.event_time = m.started_at
      order by e.sh, e.site_id, e.session_id, e.is_bot, ${prefixed('e', SESSION_ORDER)}
    ) f on ${sameSession('f', 'a')}
    left join rb_page_views entry on ${sameSession('entry', 'a')} and entry.pv_group = 1
    left join rb_page_views exit on ${sameSession('exit', 'a')} and exit.is_exit`);
  await run(`set local enable_nestloop = on`);
  // The statements below read the rewritten sessions and page_views by day: with their statistics
  // from before the rewrite the planner expects a handful of rows and sorts where it should hash
  // (seconds instead of a fraction of one on a day of a million events). ANALYZE samples, so its
  // cost does not grow with the tables.
  await run(`analyze sessions`);
  await run(`analyze page_views`);
  await run(`insert into rb_users select distinct x.site_id, x.user_id from sessions x join rb_sessions s on x.site_id = s.site_id and x.session_id = s.session_id`);

  // ── orders, order_items: the first purchase event of each order_id, read once with its items ──
  await run(`
    create temp table rb_orders on commit drop as
    select distinct site_id, order_id from rb_events where event_type = 'purchase' and order_id is not null`);
  await run(`
    create temp table rb_order_rows on commit drop as
    select distinct on (e.site_id, e.order_id, e.is_bot)
           e.site_id, e.order_id, e.is_bot, e.event_id, e.user_id, e.session_id, e.event_time, e.order_amount,
           coalesce(e.currency, 'USD') as currency, e.payment_method, (e.payload -> 'order' -> 'items')::jsonb as items
    from rb_orders o
    join events e on e.site_id = o.site_id and e.order_id = o.order_id
    where e.event_type = 'purchase'
    order by e.site_id, e.order_id, e.is_bot, ${prefixed('e', SESSION_ORDER)}`);
  await run(`
    with gone as (
      delete from order_items i using rb_orders o where i.site_id = o.site_id and i.order_id = o.order_id
      returning i.site_id, i.product_id
    )
    insert into rb_products select site_id, product_id from gone`);
  await run(`delete from orders x using rb_orders o where x.site_id = o.site_id and x.order_id = o.order_id`);
  const orders = await run(`
    insert into orders (site_id, order_id, is_bot, event_id, user_id, session_id, ordered_at, amount, currency, payment_method, items)
    select site_id, order_id, is_bot, event_id, user_id, session_id, event_time, order_amount, currency, payment_method,
           coalesce(jsonb_array_length(items), 0)
    from rb_order_rows`);
  await run(`
    insert into order_items (site_id, order_id, is_bot, line, ordered_at, product_id, name, category, price, quantity, revenue)
    select o.site_id, o.order_id, o.is_bot, i.line::int, o.event_time,
           i.item ->> 'product_id', i.item ->> 'name', i.item ->> 'category',
           (i.item ->> 'price')::numeric, (i.item ->> 'quantity')::bigint,
           round((i.item ->> 'price')::numeric * (i.item ->> 'quantity')::numeric, 2)
    from rb_order_rows o
    cross join lateral jsonb_array_elements(coalesce(o.items, '[]'::jsonb)) with ordinality as i(item, line)`);
  await run(`insert into rb_products select distinct i.site_id, i.product_id from order_items i join rb_orders o on i.site_id = o.site_id and i.order_id = o.order_id`);

  // ── products, users ──
  await run(`delete from products p using (select distinct site_id, product_id from rb_products) r where p.site_id = r.site_id and p.product_id = r.product_id`);
  await run(`
    insert into products (site_id, product_id, is_bot, name, category, last_price, first_ordered_at, last_ordered_at, orders, quantity, revenue)
    select i.site_id, i.product_id, i.is_bot,
           (array_agg(i.name order by i.ordered_at desc, i.order_id desc, i.line desc) filter (where i.name is not null))[1],
           (array_agg(i.category order by i.ordered_at desc, i.order_id desc, i.line desc) filter (where i.category is not null))[1],
           (array_agg(i.price order by i.ordered_at desc, i.order_id desc, i.line desc))[1],
           min(i.ordered_at), max(i.ordered_at), count(distinct i.order_id)::int, sum(i.quantity), sum(i.revenue)
    from order_items i
    join (select distinct site_id, product_id from rb_products) r on i.site_id = r.site_id and i.product_id = r.product_id
    group by i.site_id, i.product_id, i.is_bot`);
  await run(`delete from users u using (select distinct site_id, user_id from rb_users) r where u.site_id = r.site_id and u.user_id = r.user_id`);
  await run(`
    insert into users (site_id, user_id, is_bot, user_no, first_seen, last_seen, sessions, events, country, device_type)
    select x.site_id, x.user_id, x.is_bot, n.user_no, min(x.started_at), max(x.ended_at), count(*)::int, sum(x.events)::int,
           (array_agg(x.country order by x.started_at, x.session_id))[1],
           (array_agg(x.device_type order by x.started_at, x.session_id))[1]
    from sessions x
    join (select distinct site_id, user_id from rb_users) r on x.site_id = r.site_id and x.user_id = r.user_id
    join user_numbers n on n.site_id = x.site_id and n.user_id = x.user_id
    group by x.site_id, x.user_id, x.is_bot, n.user_no`);

  // ── hour grain ──
  // Rows built from sessions, page views and orders are recomputed for every day those rows live on
  // (a touched session may have started the day before). Rows counting events themselves (clicks,
  // scroll events) change only on touched days, and every event of a touched day is in rb_events.
  await run(`
    create temp table rb_all_days on commit drop as
    select site_id, day from rb_days
    union select distinct site_id, (event_time at time zone 'UTC')::date from rb_events
    union select distinct site_id, (event_time at time zone 'UTC')::date from rb_order_rows`);
  await run(`analyze rb_all_days`);
  const daysIn = (days: string) => `
    (select site_id, day::timestamp at time zone 'UTC' as from_t, (day + 1)::timestamp at time zone 'UTC' as to_t from ${days})`;
  const inHours = (alias: string, column: string, days = 'rb_all_days') =>
    `join ${daysIn(days)} h on ${alias}.site_id = h.site_id and ${alias}.${column} >= h.from_t and ${alias}.${column} < h.to_t`;
  const deleteHours = (table: string, days: string) =>
    run(`delete from ${table} m using ${daysIn(days)} h where m.site_id = h.site_id and m.hour >= h.from_t and m.hour < h.to_t`);
  const deleteDays = (table: string) => run(`delete from ${table} m using rb_all_days d where m.site_id = d.site_id and m.day = d.day`);
  // A user-hour table's rows of the days, folded into one set per (site, hour, side).
  const writeHourSets = async (sets: string, rows: string, days: string) => {
    await deleteHours(sets, days);
    await run(`
      insert into ${sets} (site_id, hour, is_bot, users)
      select u.site_id, u.hour, u.is_bot, user_set(array_agg(u.user_no))
      from ${rows} u ${inHours('u', 'hour', days)}
      group by 1, 2, 3`);
  };
  // rb_events.on_day: the event is on a touched day (read by the day scan, not looked up by session)
  const touchedEvents = (type: string) => `(select r.* from rb_events r where r.on_day and r.event_type = '${type}')`;

  await deleteHours('session_metrics_daily', 'rb_all_days');
  await run(`
    insert into session_metrics_daily (site_id, hour, is_bot, sessions, bounces, duration_seconds_sum, page_views_sum)
    select x.site_id, date_trunc('hour', x.started_at, 'UTC'), x.is_bot, count(*)::int, (count(*) filter (where x.is_bounce))::int,
           sum(x.duration_seconds::numeric), sum(x.page_views)::int
    from sessions x ${inHours('x', 'started_at')}
    group by 1, 2, 3`);

  await deleteHours('page_engagement_daily', 'rb_all_days');
  await run(`
    insert into page_engagement_daily (site_id, hour, is_bot, path, page_views, time_on_page_seconds_sum, time_on_page_count,
                                       scroll_depth_sum, scroll_depth_count, exits)
    select p.site_id, date_trunc('hour', p.viewed_at, 'UTC'), p.is_bot, coalesce(p.path, ''), count(*)::int,
           coalesce(sum(p.time_on_page_seconds::numeric), 0), count(p.time_on_page_seconds)::int,
           coalesce(sum(p.scroll_depth), 0), count(p.scroll_depth)::int, (count(*) filter (where p.is_exit))::int
    from page_views p ${inHours('p', 'viewed_at')}
    group by 1, 2, 3, 4`);

  // clicks, beside the page views of the same hour and path (which change only on touched days too)
  await deleteHours('click_through_daily', 'rb_days');
  await run(`
    insert into click_through_daily (site_id, hour, is_bot, path, button_id, clicks, page_views, ctr)
    select c.site_id, c.hour, c.is_bot, c.path, c.button_id, c.clicks, coalesce(pe.page_views, 0),
           case when pe.page_views > 0 then round(c.clicks * 100.0 / pe.page_views, 2) end
    from (
      select site_id, date_trunc('hour', event_time, 'UTC') as hour, is_bot, coalesce(page_path, '') as path,
             coalesce(button_id, '') as button_id, count(*)::int as clicks
      from ${touchedEvents('click')} e
      group by 1, 2, 3, 4, 5
    ) c
    left join page_engagement_daily pe on pe.site_id = c.site_id and pe.hour = c.hour and pe.is_bot = c.is_bot and pe.path = c.path`);

  // scroll events (touched days) and how deep page views went (every day page views changed on)
  await deleteHours('scroll_depth_daily', 'rb_days');
  await run(`
    insert into scroll_depth_daily (site_id, hour, is_bot, path, scroll_events, scroll_depth_sum, max_scroll_depth,
                                    reached_25, reached_50, reached_75, reached_100)
    select site_id, date_trunc('hour', event_time, 'UTC'), is_bot, coalesce(page_path, ''),
           count(*)::int, sum(scroll_depth), max(scroll_depth), 0, 0, 0, 0
    from ${touchedEvents('scroll')} e
    where scroll_depth is not null
    group by 1, 2, 3, 4`);
  await run(`
    update scroll_depth_daily m set reached_25 = 0, reached_50 = 0, reached_75 = 0, reached_100 = 0
    from ${daysIn('rb_all_days')} h where m.site_id = h.site_id and m.hour >= h.from_t and m.hour < h.to_t`);
  await run(`
    insert into scroll_depth_daily as m (site_id, hour, is_bot, path, scroll_events, scroll_depth_sum, max_scroll_depth,
                                         reached_25, reached_50, reached_75, reached_100)
    select p.site_id, date_trunc('hour', p.viewed_at, 'UTC'), p.is_bot, coalesce(p.path, ''), 0, 0, 0,
           (count(*) filter (where p.scroll_depth >= 25))::int, (count(*) filter (where p.scroll_depth >= 50))::int,
           (count(*) filter (where p.scroll_depth >= 75))::int, (count(*) filter (where p.scroll_depth >= 100))::int
    from page_views p ${inHours('p', 'viewed_at')}
    where p.scroll_depth >= 25
    group by 1, 2, 3, 4
    on conflict (site_id, hour, is_bot, path) do update
      set reached_25 = excluded.reached_25, reached_50 = excluded.reached_50, reached_75 = excluded.reached_75, reached_100 = excluded.reached_100`);
  await run(`
    delete from scroll_depth_daily m using ${daysIn('rb_all_days')} h
    where m.site_id = h.site_id and m.hour >= h.from_t and m.hour < h.to_t and m.scroll_events = 0 and m.reached_25 = 0`);

  // Events per type, users per hour and events per breakdown dimension value: counts of events
  // themselves, so only touched days change. The dimension counts are unfolded six ways from the
  // touched events grouped by all six values at once (few groups), not from the events themselves.
  const touchedDayEvents = `(select * from rb_events where on_day) r`;
  await deleteHours('event_counts_hourly', 'rb_days');
  await run(`
    insert into event_counts_hourly (site_id, hour, is_bot, event_type, events)
    select r.site_id, date_trunc('hour', r.event_time, 'UTC'), r.is_bot, r.event_type, count(*)::int
    from ${touchedDayEvents}
    group by 1, 2, 3, 4`);
  await deleteHours('user_hours', 'rb_days');
  await run(`
    insert into user_hours (site_id, hour, is_bot, user_no, events)
    select g.site_id, g.hour, g.is_bot, n.user_no, g.events
    -- counted by user id first (one number per id), so only the user-hours look their number up
    from (
      select r.site_id, date_trunc('hour', r.event_time, 'UTC') as hour, r.is_bot, r.user_id, count(*)::int as events
      from ${touchedDayEvents}
      group by 1, 2, 3, 4
    ) g
    join user_numbers n on n.site_id = g.site_id and n.user_id = g.user_id`);
  await writeHourSets('user_hour_sets', 'user_hours', 'rb_days');
  await deleteHours('event_dimension_hourly', 'rb_days');
  await run(`
    insert into event_dimension_hourly (site_id, dimension, hour, is_bot, value, events)
    select g.site_id, d.dimension, g.hour, g.is_bot, coalesce(d.value, '(none)'), sum(g.events)::int
    from (
      select r.site_id, date_trunc('hour', r.event_time, 'UTC') as hour, r.is_bot, ${BREAKDOWN_DIMENSION_COLUMNS.map((c) => `r.${c}`).join(', ')}, count(*) as events
      from ${touchedDayEvents}
      group by 1, 2, 3, ${BREAKDOWN_DIMENSION_COLUMNS.map((_, i) => i + 4).join(', ')}
    ) g ${unfoldDimensions('g')}
    group by 1, 2, 3, 4, 5`);

  // Sessions and their users per dimension value, and users starting sessions, by the hour sessions
  // start in (every day sessions changed on).
  const sessionUsers = `sessions x ${inHours('x', 'started_at')} join user_numbers n on n.site_id = x.site_id and n.user_id = x.user_id`;
  await deleteHours('session_dimension_hourly', 'rb_all_days');
  await run(`
    insert into session_dimension_hourly (site_id, dimension, hour, is_bot, value, sessions)
    select x.site_id, d.dimension, date_trunc('hour', x.started_at, 'UTC'), x.is_bot, coalesce(d.value, '(none)'), count(*)::int
    from sessions x ${inHours('x', 'started_at')} ${unfoldDimensions('x')}
    group by 1, 2, 3, 4, 5`);
  await deleteHours('dimension_user_hours', 'rb_all_days');
  await run(`
    insert into dimension_user_hours (site_id, hour, is_bot, user_no, ${BREAKDOWN_DIMENSION_COLUMNS.join(', ')})
    select distinct x.site_id, date_trunc('hour', x.started_at, 'UTC'), x.is_bot, n.user_no,
           ${BREAKDOWN_DIMENSION_COLUMNS.map((c) => `coalesce(x.${c}, '(none)')`).join(', ')}
    from ${sessionUsers}`);
  // … and each day's users per dimension value as one set (see dimension_user_days)
  await deleteDays('dimension_user_days');
  await run(`
    insert into dimension_user_days (site_id, day, is_bot, dimension, value, users)
    select g.site_id, g.day, g.is_bot, d.dimension, d.value, user_set(array_agg(g.user_no))
    from (
      select u.site_id, (u.hour at time zone 'UTC')::date as day, u.is_bot, u.user_no, ${BREAKDOWN_DIMENSION_COLUMNS.map((c) => `u.${c}`).join(', ')}
      from dimension_user_hours u ${inHours('u', 'hour')}
    ) g ${unfoldDimensions('g')}
    group by 1, 2, 3, 4, 5`);
  await deleteHours('session_user_hours', 'rb_all_days');
  await run(`
    insert into session_user_hours (site_id, hour, is_bot, user_no, sessions)
    select x.site_id, date_trunc('hour', x.started_at, 'UTC'), x.is_bot, n.user_no, count(*)::int
    from ${sessionUsers}
    group by 1, 2, 3, 4`);
  await writeHourSets('session_user_hour_sets', 'session_user_hours', 'rb_all_days');

  // the users of each path's page views
  await deleteHours('page_user_hours', 'rb_all_days');
  await run(`
    insert into page_user_hours (site_id, hour, is_bot, path, user_no)
    select distinct p.site_id, date_trunc('hour', p.viewed_at, 'UTC'), p.is_bot, coalesce(p.path, ''), n.user_no
    from page_views p ${inHours('p', 'viewed_at')}
    join user_numbers n on n.site_id = p.site_id and n.user_id = p.user_id`);
  // … and each day's as one set (see page_user_days)
  await deleteDays('page_user_days');
  await run(`
    insert into page_user_days (site_id, day, is_bot, path, users)
    select u.site_id, (u.hour at time zone 'UTC')::date, u.is_bot, u.path, user_set(array_agg(u.user_no))
    from page_user_hours u ${inHours('u', 'hour')}
    group by 1, 2, 3, 4`);

  await deleteHours('revenue_daily', 'rb_all_days');
  await run(`
    insert into revenue_daily (site_id, hour, is_bot, currency, orders, revenue, items_sold)
    select x.site_id, date_trunc('hour', x.ordered_at, 'UTC'), x.is_bot, x.currency, count(*)::int, sum(x.amount),
           coalesce(sum(q.quantity), 0)
    from orders x ${inHours('x', 'ordered_at')}
    left join lateral (
      select sum(i.quantity) as quantity from order_items i where i.site_id = x.site_id and i.order_id = x.order_id and i.is_bot = x.is_bot
    ) q on true
    group by 1, 2, 3, 4`);

  await run(`
    insert into dim_date (date, year, quarter, month, day, day_of_week, iso_week, iso_year, is_weekend, month_name, day_name)
    select d, extract(year from d), extract(quarter from d), extract(month from d), extract(day from d),
           extract(isodow from d), extract(week from d), extract(isoyear from d), extract(isodow from d) >= 6,
           to_char(d, 'FMMonth'), to_char(d, 'FMDay')
    from (select distinct day as d from rb_all_days) days
    on conflict (date) do nothing`);

  const [{ n }] = await tx<[{ n: number }]>`select count(*)::int as n from rb_all_days`;
  return { siteDays: n, sessions: sessions.count, pageViews: pageViews.count, orders: orders.count };
}
