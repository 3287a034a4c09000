// Canonical event → the flattened row of the `events` table (pure; the COPY loader encodes it).
import type { CanonicalEvent } from '@clickstream/event-schema';

/** One `events` row as written by the loader: times as the event's ISO strings, the amount as a decimal string. */
export interface EventRow {
  site_id: string;
  event_id: string;
  event_type: string;
  event_name: string | null;
  user_id: string;
  session_id: string;
  event_time: string;
  received_at: string;
  page_url: string | null;
  page_path: string | null;
  page_title: string | null;
  referrer: string | null;
  button_id: string | null;
  scroll_depth: number | null;
  order_id: string | null;
  order_amount: string | null;
  currency: string | null;
  payment_method: string | null;
  browser: string | null;
  os: string | null;
  device_type: string | null;
  is_bot: boolean;
  country: string | null;
  city: string | null;
  referrer_domain: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  payload: CanonicalEvent;
}

/** The `events` columns in table order (a unit test holds this equal to the drizzle schema). */
export const EVENT_COLUMNS = [
  'site_id',
  'event_id',
  'event_type',
  'event_name',
  'user_id',
  'session_id',
  'event_time',
  'received_at',
  'page_url',
  'page_path',
  'page_title',
  'referrer',
  'button_id',
  'scroll_depth',
  'order_id',
  'order_amount',
  'currency',
  'payment_method',
  'browser',
  'os',
  'device_type',
  'is_bot',
  'country',
  'city',
  'referrer_domain',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'payload',
] as const satisfies readonly (keyof EventRow)[];

export function eventRow(event: CanonicalEvent): EventRow {
  const { page, order, context } = event;
  const utm = context.utm;
  return {
    site_id: event.site_id,
    event_id: event.event_id,
    event_type: event.event_type,
    event_name: event.event_name ?? null,
    user_id: event.user_id,
    session_id: event.session_id,
    event_time: event.event_time,
    received_at: event.received_at,
    page_url: page?.url ?? null,
    page_path: page?.path ?? null,
    page_title: page?.title ?? null,
    referrer: page?.referrer ?? null,
    button_id: event.button_id ?? null,
    // smallint: the contract allows fractional percentages, the column keeps whole ones
    scroll_depth: event.scroll_depth === undefined ? null : Math.round(event.scroll_depth),
    order_id: order?.order_id ?? null,
    order_amount: order ? String(order.amount) : null,
    currency: order?.currency ?? null,
    payment_method: order?.payment_method ?? null,
    browser: context.browser ?? null,
    os: context.os ?? null,
    device_type: context.device_type ?? null,
    is_bot: context.is_bot === true,
    country: context.country ?? null,
    city: context.city ?? null,
    referrer_domain: context.referrer_domain ?? null,
    utm_source: utm?.source ?? null,
    utm_medium: utm?.medium ?? null,
    utm_campaign: utm?.campaign ?? null,
    utm_term: utm?.term ?? null,
    utm_content: utm?.content ?? null,
    payload: event,
  };
}
