import type { CanonicalEvent } from '@clickstream/event-schema';
import { getTableColumns } from 'drizzle-orm';
import { EVENT_COLUMNS, eventRow } from './event-row';
import { events } from './schema';

const base: CanonicalEvent = {
  schema_version: 1,
  event_id: '0190f0e0-0000-7000-8000-000000000001',
  event_type: 'page_view',
  site_id: 'site_a',
  user_id: 'u1',
  session_id: 's1',
  event_time: '2024-05-01T10:00:00.000Z',
  received_at: '2024-05-01T10:00:00.250Z',
  context: { is_bot: false },
};

describe('eventRow', () => {
  it('lists the columns of the events table, in table order', () => {
    expect(EVENT_COLUMNS).toEqual(Object.keys(getTableColumns(events)));
    expect(Object.keys(eventRow(base))).toEqual([...EVENT_COLUMNS]);
  });

  it('maps a minimal event to nulls, keeping the event as payload', () => {
    const row = eventRow(base);
    expect(row).toEqual({
      ...Object.fromEntries(EVENT_COLUMNS.map((c) => [c, null])),
      site_id: 'site_a',
      event_id: base.event_id,
      event_type: 'page_view',
      user_id: 'u1',
      session_id: 's1',
      event_time: base.event_time,
      received_at: base.received_at,
      is_bot: false,
      payload: base,
    });
    expect(row.payload).toBe(base);
  });

  it('flattens page, order, context and UTM fields', () => {
    const event: CanonicalEvent = {
      ...base,
      event_type: 'purchase',
      page: { url: 'https://shop.example/checkout?utm_source=news', path: '/checkout', title: 'Checkout', referrer: 'https://google.com/' },
      order: {
        order_id: 'o-1',
        amount: 49.9,
        currency: 'EUR',
        payment_method: 'card',
        items: [{ product_id: 'p1', price: 24.95, quantity: 2 }],
      },
      context: {
        is_bot: true,
        browser: 'Firefox',
        os: 'Linux',
        device_type: 'desktop',
        country: 'DE',
        city: 'Berlin',
        referrer_domain: 'google.com',
        utm: { source: 'news', medium: 'email', campaign: 'spring', term: 'shoes', content: 'banner' },
      },
    };
    expect(eventRow(event)).toMatchObject({
      event_type: 'purchase',
      page_url: 'https://shop.example/checkout?utm_source=news',
      page_path: '/checkout',
      page_title: 'Checkout',
      referrer: 'https://google.com/',
      order_id: 'o-1',
      order_amount: '49.9',
      currency: 'EUR',
      payment_method: 'card',
      browser: 'Firefox',
      os: 'Linux',
      device_type: 'desktop',
      is_bot: true,
      country: 'DE',
      city: 'Berlin',
      referrer_domain: 'google.com',
      utm_source: 'news',
      utm_medium: 'email',
      utm_campaign: 'spring',
      utm_term: 'shoes',
      utm_content: 'banner',
    });
  });

  it('keeps click, scroll and custom fields, rounding scroll depth to a whole percentage', () => {
    expect(eventRow({ ...base, event_type: 'click', button_id: 'buy' }).button_id).toBe('buy');
    expect(eventRow({ ...base, event_type: 'scroll', scroll_depth: 62.5 }).scroll_depth).toBe(63);
    expect(eventRow({ ...base, event_type: 'scroll', scroll_depth: 0 }).scroll_depth).toBe(0);
    expect(eventRow({ ...base, event_type: 'custom', event_name: 'signup.completed' }).event_name).toBe('signup.completed');
  });

  it('keeps empty strings as empty strings, not nulls', () => {
    const row = eventRow({ ...base, button_id: '', page: { path: '' }, context: { is_bot: false, utm: { source: '' } } });
    expect([row.button_id, row.page_path, row.utm_source, row.utm_medium]).toEqual(['', '', '', null]);
  });
});
