// Generated canonical events for the warehouse tests: every event type, every optional field
// sometimes absent, and strings that break naive COPY or JSON handling.
import type { CanonicalEvent } from '@clickstream/event-schema';
import { EVENT_TYPES } from '@clickstream/event-schema';
import { randomSource } from '@clickstream/runtime/testing';

export { randomSource };

/** Strings that a loader must store and return unchanged. */
export const NASTY_STRINGS = [
  'tab\there',
  'new\nline',
  'crlf\r\nend',
  'back\\slash',
  'trailing backslash\\',
  '\\N',
  '\\.',
  '\\\\N double',
  'quote"s and \'single\'',
  'comma,semi;colon|pipe',
  'unicode: żółć 日本語 Ελληνικά 🎉 👩‍👩‍👧 עברית',
  '',
  '   ',
  '\u2028line sep\u2029para sep',
  'ctrl \x01\x07\x08\x0b\x0c\x1b\x7f',
  '{"looks":"like json"}',
  'null',
  'NULL',
  "'; drop table events; --",
  '\\x41\\u0041\\t',
  'a'.repeat(2000),
];

export function eventId(seed: number, n: number): string {
  const hex = (n.toString(16) + seed.toString(16).padStart(4, '0')).padStart(12, '0').slice(-12);
  return `0190f0e0-${(seed & 0xffff).toString(16).padStart(4, '0')}-7000-8000-${hex}`;
}

export function generateEvents(count: number, options: { seed?: number; site?: string; start?: Date } = {}): CanonicalEvent[] {
  const seed = options.seed ?? 1;
  const random = randomSource(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const maybe = <T>(value: () => T, p = 0.5): T | undefined => (random() < p ? value() : undefined);
  const nasty = () => pick(NASTY_STRINGS);
  const start = (options.start ?? new Date('2024-05-01T00:00:00Z')).getTime();
  const events: CanonicalEvent[] = [];
  for (let i = 0; i < count; i++) {
    const eventType = pick(EVENT_TYPES);
    const eventTime = new Date(start + i * 1000 + Math.floor(random() * 1000));
    const event: CanonicalEvent = {
      schema_version: 1,
      event_id: eventId(seed, i),
      event_type: eventType,
      site_id: options.site ?? (random() < 0.9 ? 'site_a' : 'site b\twith tab'),
      user_id: random() < 0.05 ? nasty() || 'u' : `user-${Math.floor(random() * 500)}`,
      session_id: `session-${Math.floor(i / 20)}`,
      event_time: eventTime.toISOString(),
      received_at: new Date(eventTime.getTime() + 250).toISOString(),
      context: { is_bot: random() < 0.03 },
    };
    if (random() < 0.1) event.client_time = event.event_time;
    if (eventType === 'custom') event.event_name = random() < 0.5 ? 'signup.completed' : nasty().slice(0, 64) || 'x';
    if (eventType !== 'session_end' && random() < 0.9) {
      const path = random() < 0.1 ? `/${nasty()}` : pick(['/', '/pricing', '/docs/intro', '/products/42']);
      event.page = {
        url: `https://example.com${encodeURI(path)}?utm_source=news`,
        path,
        ...(random() < 0.7 ? { title: random() < 0.2 ? nasty() : 'Example page' } : {}),
        ...(random() < 0.3 ? { referrer: 'https://google.com/?q=' + encodeURIComponent(nasty()) } : {}),
      };
    }
    if (eventType === 'click') event.button_id = random() < 0.2 ? nasty() : pick(['buy', 'signup', 'nav-home']);
    if (eventType === 'scroll') event.scroll_depth = random() < 0.3 ? Math.round(random() * 10000) / 100 : Math.floor(random() * 101);
    if (eventType === 'purchase') {
      event.order = {
        order_id: `order-${i}`,
        amount: Math.round(random() * 100000) / 100,
        currency: pick(['EUR', 'USD', 'GBP']),
        ...(random() < 0.8 ? { payment_method: random() < 0.2 ? nasty() : 'card' } : {}),
        items: [
          { product_id: 'p-1', name: nasty(), category: 'Books', price: 12.5, quantity: 2 },
          { product_id: 'p-2', price: 0.1 + 0.2, quantity: 1 },
        ],
      };
    }
    const ctx = event.context;
    const browser = maybe(() => pick(['Chrome', 'Firefox', 'Safari', nasty()]), 0.8);
    if (browser !== undefined) ctx.browser = browser;
    if (random() < 0.8) ctx.os = pick(['Linux', 'macOS', 'Windows', 'iOS']);
    if (random() < 0.8) ctx.device_type = pick(['desktop', 'mobile', 'tablet']);
    if (random() < 0.5) ctx.country = pick(['DE', 'FR', 'US']);
    if (random() < 0.3) ctx.city = random() < 0.3 ? nasty() : pick(['Berlin', 'Zürich', 'São Paulo']);
    if (random() < 0.3) ctx.referrer_domain = 'google.com';
    if (random() < 0.2) ctx.ip = '203.0.113.0';
    if (random() < 0.3) ctx.user_agent = 'Mozilla/5.0 (X11; Linux x86_64)';
    if (random() < 0.2) {
      ctx.utm = { source: 'news', medium: random() < 0.5 ? 'email' : nasty(), campaign: 'spring' };
      if (random() < 0.5) ctx.utm.term = nasty();
      if (random() < 0.5) ctx.utm.content = 'banner';
    }
    if (random() < 0.3) {
      event.props = {
        plan: pick(['free', 'pro']),
        [nasty() || 'empty']: nasty(),
        nested: { list: [1, 2.5, -3, true, null, nasty()], deep: { deeper: { deepest: 'ok' } } },
        ratio: 0.1 + 0.2,
      };
    }
    events.push(event);
  }
  return events;
}
