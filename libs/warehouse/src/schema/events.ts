// The events fact: one row per canonical event, deduplicated on (site_id, event_id). The columns
// the models and the API filter or group on are flattened out; the whole event stays in `payload`.
import type { CanonicalEvent } from '@clickstream/event-schema';
import { sql } from 'drizzle-orm';
import { boolean, index, json, numeric, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const events = pgTable(
  'events',
  {
    site_id: text().notNull(),
    event_id: uuid().notNull(),
    event_type: text().notNull(),
    event_name: text(),
    user_id: text().notNull(),
    session_id: text().notNull(),
    event_time: timestamp({ withTimezone: true }).notNull(),
    received_at: timestamp({ withTimezone: true }).notNull(),
    page_url: text(),
    page_path: text(),
    page_title: text(),
    referrer: text(),
    button_id: text(),
    scroll_depth: smallint(),
    order_id: text(),
    order_amount: numeric({ precision: 14, scale: 2 }),
    currency: text(),
    payment_method: text(),
    browser: text(),
    os: text(),
    device_type: text(),
    is_bot: boolean().notNull().default(false),
    country: text(),
    city: text(),
    referrer_domain: text(),
    utm_source: text(),
    utm_medium: text(),
    utm_campaign: text(),
    utm_term: text(),
    utm_content: text(),
    // json, not jsonb: kept as the text it was (COPY checks it, without building jsonb's binary form,
    // about a quarter faster to load); only the model rebuild reads into it, for a purchase's items.
    payload: json().$type<CanonicalEvent>().notNull(),
  },
  (t) => [
    primaryKey({ name: 'events_pkey', columns: [t.site_id, t.event_id] }),
    index('events_site_time_idx').on(t.site_id, t.event_time),
    index('events_site_session_time_idx').on(t.site_id, t.session_id, t.event_time),
    // the model rebuild reads every purchase event of an order, whatever day it came in
    index('events_site_order_idx').on(t.site_id, t.order_id).where(sql`${t.order_id} is not null`),
  ],
);

export type EventRecord = typeof events.$inferSelect;
