// The analytics models, rebuilt by the ETL for the days a run touched (src/models/rebuild.ts).
//
// Two grains, both in UTC so the API can answer in any time zone without reloading:
// - raw grain: one row per session, page view, order, order line, user, product, date;
// - hour grain (the `*_daily` tables): additive measures per UTC hour, which roll up to the days of
//   any whole-hour time zone. Averages are stored as sums and counts; distinct counts (users) are not
//   additive: `user_hours`, `session_user_hours`, `page_user_hours` and `dimension_user_hours` keep one
//   row per user and hour (and path or dimension value) so they can be counted distinct over any
//   union of whole UTC hours. The same users are also kept as sets (bit strings over user numbers),
//   so a month is a few hundred OR-ed bit strings rather than a million rows to count distinct:
//   `user_hour_sets` and `session_user_hour_sets` per hour, and per UTC day (too many paths and values
//   for a set per hour) `page_user_days` and `dimension_user_days`, whose ranges take the hours at
//   their ends from the hour rows.
//
// Every model row carries `is_bot`: models are built from human and bot events separately, so a
// metric leaves bots out (the default) by filtering on it, and includes them by not filtering.
import type { EventType } from '@clickstream/event-schema';
import { bigint, boolean, customType, date, doublePrecision, index, integer, numeric, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const utc = () => timestamp({ withTimezone: true });

/** One row per session: a distinct (site_id, session_id) — among its human or its bot events. */
/** A letter per event type, for `sessions.kinds` (migration 0007 spells the same mapping out). */
export const SESSION_KIND_LETTERS = {
  page_view: 'v',
  page_close: 'x',
  click: 'c',
  scroll: 's',
  purchase: 'p',
  session_start: 'b',
  session_end: 'e',
  custom: 'u',
} as const satisfies Record<EventType, string>;

/** SQL: the letter of `alias`'s event_type. */
export function sessionKindLetter(alias: string): string {
  return `(case ${alias}.event_type ${Object.entries(SESSION_KIND_LETTERS)
    .map(([type, letter]) => `when '${type}' then '${letter}'`)
    .join(' ')} end)`;
}

export const sessions = pgTable(
  'sessions',
  {
    site_id: text().notNull(),
    session_id: text().notNull(),
    is_bot: boolean().notNull(),
    /** The user of the session's first event. */
    user_id: text().notNull(),
    started_at: utc().notNull(),
    ended_at: utc().notNull(),
    /** ended_at − started_at. */
    duration_seconds: doublePrecision().notNull(),
    events: integer().notNull(),
    page_views: integer().notNull(),
    clicks: integer().notNull(),
    purchases: integer().notNull(),
    /** Exactly one page view and no click or purchase. */
    is_bounce: boolean().notNull(),
    entry_path: text(),
    exit_path: text(),
    country: text(),
    device_type: text(),
    browser: text(),
    os: text(),
    referrer_domain: text(),
    utm_source: text(),
    /**
     * The session's events as letters (SESSION_KIND_LETTERS), one per event in session order: funnels
     * of event types alone match it with a regular expression instead of reading the events.
     */
    kinds: text().notNull().default(''),
  },
  (t) => [
    primaryKey({ name: 'sessions_pkey', columns: [t.site_id, t.session_id, t.is_bot] }),
    index('sessions_site_started_idx').on(t.site_id, t.started_at),
    index('sessions_site_user_idx').on(t.site_id, t.user_id),
  ],
);

/** One row per page view, with what the metrics need to know about it. */
export const page_views = pgTable(
  'page_views',
  {
    site_id: text().notNull(),
    event_id: uuid().notNull(),
    session_id: text().notNull(),
    is_bot: boolean().notNull(),
    user_id: text().notNull(),
    viewed_at: utc().notNull(),
    path: text(),
    /** Seconds to the session's next page_view, page_close or session_end; null when there is none. */
    time_on_page_seconds: doublePrecision(),
    /** Max scroll_depth of the scroll events after it and before the next page view; null when none. */
    scroll_depth: smallint(),
    /** The session's last page view. */
    is_exit: boolean().notNull(),
  },
  // No primary key: (site_id, event_id) is unique by construction, and a random-uuid index would
  // cost the rebuild more than anything else on this table.
  (t) => [
    index('page_views_site_viewed_idx').on(t.site_id, t.viewed_at),
    index('page_views_site_session_idx').on(t.site_id, t.session_id),
  ],
);

/** Sessions starting in each UTC hour (by their first event). */
export const session_metrics_daily = pgTable(
  'session_metrics_daily',
  {
    site_id: text().notNull(),
    hour: utc().notNull(),
    is_bot: boolean().notNull(),
    sessions: integer().notNull(),
    bounces: integer().notNull(),
    /** Σ duration_seconds as an exact numeric, so averages round as avg() over the sessions does. */
    duration_seconds_sum: numeric({ mode: 'number' }).notNull(),
    page_views_sum: integer().notNull(),
  },
  (t) => [primaryKey({ name: 'session_metrics_daily_pkey', columns: [t.site_id, t.hour, t.is_bot] })],
);

/** Page views per path and UTC hour, with time on page, scroll depth and exits. */
export const page_engagement_daily = pgTable(
  'page_engagement_daily',
  {
    site_id: text().notNull(),
    hour: utc().notNull(),
    is_bot: boolean().notNull(),
    /** '' for page views without a path. */
    path: text().notNull(),
    page_views: integer().notNull(),
    /** Σ time_on_page_seconds as an exact numeric, so averages round as avg() over the page views does. */
    time_on_page_seconds_sum: numeric({ mode: 'number' }).notNull(),
    /** Page views with a known time on page. */
    time_on_page_count: integer().notNull(),
    scroll_depth_sum: bigint({ mode: 'number' }).notNull(),
    /** Page views with at least one scroll event. */
    scroll_depth_count: integer().notNull(),
    exits: integer().notNull(),
  },
  (t) => [primaryKey({ name: 'page_engagement_daily_pkey', columns: [t.site_id, t.hour, t.is_bot, t.path] })],
);

/** Clicks per (path, button) and UTC hour, beside the path's page views in that hour. */
export const click_through_daily = pgTable(
  'click_through_daily',
  {
    site_id: text().notNull(),
    hour: utc().notNull(),
    is_bot: boolean().notNull(),
    path: text().notNull(),
    button_id: text().notNull(),
    clicks: integer().notNull(),
    page_views: integer().notNull(),
    /** clicks ÷ page_views × 100 for this hour (null without page views); sum clicks and page views for longer spans. */
    ctr: numeric({ precision: 12, scale: 2, mode: 'number' }),
  },
  (t) => [primaryKey({ name: 'click_through_daily_pkey', columns: [t.site_id, t.hour, t.is_bot, t.path, t.button_id] })],
);

/** Scroll events aggregated by page path and UTC hour (seed 000's batch aggregation), with depth reach. */
export const scroll_depth_daily = pgTable(
  'scroll_depth_daily',
  {
    site_id: text().notNull(),
    hour: utc().notNull(),
    is_bot: boolean().notNull(),
    path: text().notNull(),
    scroll_events: integer().notNull(),
    scroll_depth_sum: bigint({ mode: 'number' }).notNull(),
    max_scroll_depth: smallint().notNull(),
    /** Page views (in this hour) whose max scroll depth reached 25, 50, 75 and 100. */
    reached_25: integer().notNull(),
    reached_50: integer().notNull(),
    reached_75: integer().notNull(),
    reached_100: integer().notNull(),
  },
  (t) => [primaryKey({ name: 'scroll_depth_daily_pkey', columns: [t.site_id, t.hour, t.is_bot, t.path] })],
);

/** Events per type and UTC hour (by event_time): the event counts of ranges made of whole UTC hours. */
export const event_counts_hourly = pgTable(
  'event_counts_hourly',
  {
    site_id: text().notNull(),
    hour: utc().notNull(),
    is_bot: boolean().notNull(),
    event_type: text().notNull(),
    events: integer().notNull(),
  },
  (t) => [primaryKey({ name: 'event_counts_hourly_pkey', columns: [t.site_id, t.hour, t.is_bot, t.event_type] })],
);

/**
 * A number per user of a site, dense from 1, given once and never changed: the `*_user_hours` tables
 * count distinct users by it, which hashes and compares several times faster than the text ids.
 */
export const user_numbers = pgTable(
  'user_numbers',
  {
    site_id: text().notNull(),
    user_id: text().notNull(),
    user_no: integer().notNull(),
  },
  (t) => [
    primaryKey({ name: 'user_numbers_pkey', columns: [t.site_id, t.user_id] }),
    uniqueIndex('user_numbers_site_no_idx').on(t.site_id, t.user_no),
  ],
);

/** One row per user (user_numbers) with an event in a UTC hour (events of every type): distinct users over whole hours. */
export const user_hours = pgTable(
  'user_hours',
  {
    site_id: text().notNull(),
    hour: utc().notNull(),
    is_bot: boolean().notNull(),
    user_no: integer().notNull(),
    events: integer().notNull(),
  },
  (t) => [primaryKey({ name: 'user_hours_pkey', columns: [t.site_id, t.hour, t.is_bot, t.user_no] })],
);

/** The dimensions whose values the breakdown tables count: columns of both `events` and `sessions`. */
export const BREAKDOWN_DIMENSION_COLUMNS = ['country', 'device_type', 'browser', 'os', 'referrer_domain', 'utm_source'] as const;

/** Events per UTC hour and value of each breakdown dimension (each event's own value; '(none)' when unknown). */
export const event_dimension_hourly = pgTable(
  'event_dimension_hourly',
  {
    site_id: text().notNull(),
    dimension: text().notNull(),
    hour: utc().notNull(),
    is_bot: boolean().notNull(),
    value: text().notNull(),
    events: integer().notNull(),
  },
  (t) => [primaryKey({ name: 'event_dimension_hourly_pkey', columns: [t.site_id, t.dimension, t.hour, t.is_bot, t.value] })],
);

/**
 * One row per user (user_numbers) and combination of breakdown dimension values ('(none)' when
 * unknown) of the sessions the user started in a UTC hour (the values of each session's first
 * event): distinct users per value of any dimension over whole hours, attributed like sessions.
 * One row carries all six values, so a rebuild writes a sixth of the rows one per dimension would.
 */
export const dimension_user_hours = pgTable(
  'dimension_user_hours',
  {
    site_id: text().notNull(),
    hour: utc().notNull(),
    is_bot: boolean().notNull(),
    user_no: integer().notNull(),
    country: text().notNull(),
    device_type: text().notNull(),
    browser: text().notNull(),
    os: text().notNull(),
    referrer_domain: text().notNull(),
    utm_source: text().notNull(),
  },
  (t) => [
    primaryKey({
      name: 'dimension_user_hours_pkey',
      columns: [t.site_id, t.hour, t.is_bot, t.user_no, t.country, t.device_type, t.browser, t.os, t.referrer_domain, t.utm_source],
    }),
  ],
);

/** Sessions starting in each UTC hour per value of each breakdown dimension (the session's first event's). */
export const session_dimension_hourly = pgTable(
  'session_dimension_hourly',
  {
    site_id: text().notNull(),
    dimension: text().notNull(),
    hour: utc().notNull(),
    is_bot: boolean().notNull(),
    value: text().notNull(),
    sessions: integer().notNull(),
  },
  (t) => [primaryKey({ name: 'session_dimension_hourly_pkey', columns: [t.site_id, t.dimension, t.hour, t.is_bot, t.value] })],
);

/** One row per user (user_numbers) who started a session in a UTC hour: distinct users of sessions, and retention's returns. */
export const session_user_hours = pgTable(
  'session_user_hours',
  {
    site_id: text().notNull(),
    hour: utc().notNull(),
    is_bot: boolean().notNull(),
    user_no: integer().notNull(),
    sessions: integer().notNull(),
  },
  (t) => [primaryKey({ name: 'session_user_hours_pkey', columns: [t.site_id, t.hour, t.is_bot, t.user_no] })],
);

/** One row per user (user_numbers) with a page view of a path in a UTC hour ('' for no path): a page's unique users over whole hours. */
export const page_user_hours = pgTable(
  'page_user_hours',
  {
    site_id: text().notNull(),
    hour: utc().notNull(),
    is_bot: boolean().notNull(),
    path: text().notNull(),
    user_no: integer().notNull(),
  },
  (t) => [primaryKey({ name: 'page_user_hours_pkey', columns: [t.site_id, t.hour, t.is_bot, t.path, t.user_no] })],
);

/**
 * A set of a site's users (user_numbers) as a bit string: bit n is set when user n is in the set
 * (bit 0 is never set, as numbers start at 1). Built by the SQL function `user_set(int[])`, joined
 * by the aggregate `user_set_union(varbit)` (an OR that pads the shorter string) and counted by
 * `bit_count`; migration 0008 defines both. Its length is the largest member's number + 1.
 */
const userSet = customType<{ data: string; driverData: string }>({ dataType: () => 'varbit' });

/**
 * The users with an event in each UTC hour as one set (`user_hours` folded): distinct users per
 * bucket of any whole-hour zone, or over a whole range, by OR-ing at most a few hundred sets.
 */
export const user_hour_sets = pgTable(
  'user_hour_sets',
  {
    site_id: text().notNull(),
    hour: utc().notNull(),
    is_bot: boolean().notNull(),
    users: userSet().notNull(),
  },
  (t) => [primaryKey({ name: 'user_hour_sets_pkey', columns: [t.site_id, t.hour, t.is_bot] })],
);

/** The users who started a session in each UTC hour as one set (`session_user_hours` folded). */
export const session_user_hour_sets = pgTable(
  'session_user_hour_sets',
  {
    site_id: text().notNull(),
    hour: utc().notNull(),
    is_bot: boolean().notNull(),
    users: userSet().notNull(),
  },
  (t) => [primaryKey({ name: 'session_user_hour_sets_pkey', columns: [t.site_id, t.hour, t.is_bot] })],
);

/**
 * The users of each path's page views per UTC day ('' for no path): `page_user_hours` folded into
 * one set per day, so unique users over whole days union a few sets instead of counting rows.
 */
export const page_user_days = pgTable(
  'page_user_days',
  {
    site_id: text().notNull(),
    day: date().notNull(),
    is_bot: boolean().notNull(),
    path: text().notNull(),
    users: userSet().notNull(),
  },
  (t) => [primaryKey({ name: 'page_user_days_pkey', columns: [t.site_id, t.day, t.is_bot, t.path] })],
);

/**
 * The users of each breakdown dimension value per UTC day, attributed as in `dimension_user_hours`
 * (the values of the sessions they started), as one set per (dimension, value): breakdown users
 * over whole days.
 */
export const dimension_user_days = pgTable(
  'dimension_user_days',
  {
    site_id: text().notNull(),
    day: date().notNull(),
    is_bot: boolean().notNull(),
    dimension: text().notNull(),
    value: text().notNull(),
    users: userSet().notNull(),
  },
  (t) => [primaryKey({ name: 'dimension_user_days_pkey', columns: [t.site_id, t.dimension, t.day, t.is_bot, t.value] })],
);

/** One row per distinct order_id: its first purchase event (by event time) wins. */
export const orders = pgTable(
  'orders',
  {
    site_id: text().notNull(),
    order_id: text().notNull(),
    is_bot: boolean().notNull(),
    event_id: uuid().notNull(),
    user_id: text().notNull(),
    session_id: text().notNull(),
    ordered_at: utc().notNull(),
    amount: numeric({ precision: 14, scale: 2, mode: 'number' }).notNull(),
    currency: text().notNull(),
    payment_method: text(),
    items: integer().notNull(),
  },
  (t) => [
    primaryKey({ name: 'orders_pkey', columns: [t.site_id, t.order_id, t.is_bot] }),
    index('orders_site_ordered_idx').on(t.site_id, t.ordered_at),
  ],
);

/** The lines of each order in `orders`. */
export const order_items = pgTable(
  'order_items',
  {
    site_id: text().notNull(),
    order_id: text().notNull(),
    is_bot: boolean().notNull(),
    line: integer().notNull(),
    ordered_at: utc().notNull(),
    product_id: text().notNull(),
    name: text(),
    category: text(),
    // unbounded numeric and bigint: one huge (but valid) order must not make the rebuild fail
    price: numeric({ mode: 'number' }).notNull(),
    quantity: bigint({ mode: 'number' }).notNull(),
    /** price × quantity, rounded to cents. */
    revenue: numeric({ mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'order_items_pkey', columns: [t.site_id, t.order_id, t.is_bot, t.line] }),
    index('order_items_site_ordered_idx').on(t.site_id, t.ordered_at),
    index('order_items_site_product_idx').on(t.site_id, t.product_id),
  ],
);

/** Orders and revenue per UTC hour and currency. */
export const revenue_daily = pgTable(
  'revenue_daily',
  {
    site_id: text().notNull(),
    hour: utc().notNull(),
    is_bot: boolean().notNull(),
    currency: text().notNull(),
    orders: integer().notNull(),
    revenue: numeric({ mode: 'number' }).notNull(),
    items_sold: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ name: 'revenue_daily_pkey', columns: [t.site_id, t.hour, t.is_bot, t.currency] })],
);

/** The product dimension, from order lines: the latest name and category seen, and sales to date. */
export const products = pgTable(
  'products',
  {
    site_id: text().notNull(),
    product_id: text().notNull(),
    is_bot: boolean().notNull(),
    name: text(),
    category: text(),
    last_price: numeric({ mode: 'number' }).notNull(),
    first_ordered_at: utc().notNull(),
    last_ordered_at: utc().notNull(),
    orders: integer().notNull(),
    quantity: bigint({ mode: 'number' }).notNull(),
    revenue: numeric({ mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ name: 'products_pkey', columns: [t.site_id, t.product_id, t.is_bot] })],
);

/** The user dimension, from sessions: first and last seen, sessions, and where the first session came from. */
export const users = pgTable(
  'users',
  {
    site_id: text().notNull(),
    user_id: text().notNull(),
    is_bot: boolean().notNull(),
    /** The user's number (user_numbers), so retention's cohorts become sets without a join. */
    user_no: integer().notNull(),
    first_seen: utc().notNull(),
    last_seen: utc().notNull(),
    sessions: integer().notNull(),
    events: integer().notNull(),
    country: text(),
    device_type: text(),
  },
  (t) => [
    primaryKey({ name: 'users_pkey', columns: [t.site_id, t.user_id, t.is_bot] }),
    // covers retention's cohorts (users first seen in a window): read from the index alone
    index('users_site_first_seen_idx').on(t.site_id, t.first_seen, t.is_bot, t.user_no),
  ],
);

/** The calendar dimension, for every UTC day the models hold. */
export const dim_date = pgTable('dim_date', {
  date: date({ mode: 'string' }).primaryKey(),
  year: smallint().notNull(),
  quarter: smallint().notNull(),
  month: smallint().notNull(),
  day: smallint().notNull(),
  /** ISO: 1 = Monday … 7 = Sunday. */
  day_of_week: smallint().notNull(),
  iso_week: smallint().notNull(),
  iso_year: smallint().notNull(),
  is_weekend: boolean().notNull(),
  month_name: text().notNull(),
  day_name: text().notNull(),
});
