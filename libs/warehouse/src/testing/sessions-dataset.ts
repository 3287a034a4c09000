// A generated but realistic clickstream for the model tests and the ETL benchmark: sites, users and sessions with page
// views, scrolls, clicks, purchases (some order_ids sent twice), page closes and session ends (some
// sessions both);
// bounces, bots, pages without a path, sessions that cross midnight UTC, and events that share a
// timestamp (so the tie-breaks matter). Deterministic for a seed.
import type { CanonicalEvent } from '@clickstream/event-schema';
import { randomSource } from '@clickstream/runtime/testing';

export interface DatasetOptions {
  seed?: number;
  /** First day (UTC) of the data; sessions start over `days` days. */
  start?: string;
  days?: number;
  sites?: string[];
  usersPerSite?: number;
}

const PATHS = ['/', '/pricing', '/docs/intro', '/products/42', '/products/7', '/checkout', '/blog/launch'];
const BUTTONS = ['buy', 'signup', 'nav-home', 'add_to_cart'];
const PRODUCTS = [
  { product_id: 'p-1', name: 'Notebook', category: 'Stationery', price: 4.5 },
  { product_id: 'p-2', name: 'Pen', category: 'Stationery', price: 1.25 },
  { product_id: 'p-3', name: 'Backpack', category: 'Bags', price: 49.99 },
  { product_id: 'p-4', price: 19.9 },
];

export function generateSessions(options: DatasetOptions = {}): CanonicalEvent[] {
  const random = randomSource(options.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const start = Date.parse(`${options.start ?? '2026-03-01'}T00:00:00Z`);
  const span = (options.days ?? 3) * 86_400_000;
  const sites = options.sites ?? ['site_a', 'site_b'];
  const events: CanonicalEvent[] = [];
  let n = 0;
  const id = () => {
    const hex = (n++).toString(16).padStart(12, '0');
    // random high bits so event_id order differs from generation order (it breaks timestamp ties)
    return `${Math.floor(random() * 0xffffffff).toString(16).padStart(8, '0')}-0000-7000-8000-${hex}`;
  };
  let orderNo = 0;
  let closes = 0;
  let extraIds = 0;

  for (const site of sites) {
    for (let u = 0; u < (options.usersPerSite ?? 30); u++) {
      const user = `${site}-user-${u}`;
      const bot = random() < 0.2;
      const country = pick(['DE', 'FR', 'US', undefined]);
      const device = pick(['desktop', 'mobile', 'tablet']);
      for (let s = int(1, 4); s > 0; s--) {
        const session = `${user}-s${s}-${int(0, 99999)}`;
        // some sessions start a few minutes before midnight, to cross into the next UTC day
        let t = random() < 0.15 ? start + int(0, options.days ?? 3) * 86_400_000 - int(60, 600) * 1000 : start + Math.floor(random() * span);
        if (t < start) t += 86_400_000;
        const add = (type: CanonicalEvent['event_type'], fields: Partial<CanonicalEvent> = {}, tie = false) => {
          // a third of "tie" events share the previous timestamp exactly; received_at then decides, or event_id
          if (!tie) t += int(1, 180) * 1000 + int(0, 999);
          const receivedDelay = tie && random() < 0.5 ? 0 : int(100, 900);
          const event: CanonicalEvent = {
            schema_version: 1,
            event_id: id(),
            event_type: type,
            site_id: site,
            user_id: user,
            session_id: session,
            event_time: new Date(t).toISOString(),
            received_at: new Date(t + receivedDelay).toISOString(),
            context: {
              is_bot: bot,
              ...(country ? { country } : {}),
              device_type: device,
              browser: pick(['Chrome', 'Firefox', 'Safari']),
              os: pick(['Linux', 'macOS', 'Windows', 'iOS']),
              ...(random() < 0.3 ? { referrer_domain: 'google.com', utm: { source: 'news' } } : {}),
            },
            ...fields,
          };
          events.push(event);
          return event;
        };
        if (random() < 0.1) add('session_start');
        const views = random() < 0.3 ? 1 : int(2, 6);
        for (let v = 0; v < views; v++) {
          const path = random() < 0.05 ? undefined : pick(PATHS);
          const page = path === undefined ? { url: 'https://shop.example/' } : { url: `https://shop.example${path}`, path };
          add('page_view', { page });
          for (let k = int(0, 3); k > 0; k--) add('scroll', { page, scroll_depth: random() < 0.2 ? int(0, 10000) / 100 : int(0, 100) }, random() < 0.2);
          // bounces stay bounces: a one-view session gets no click or purchase half the time
          if (views > 1 || random() < 0.5) {
            for (let k = int(0, 2); k > 0; k--) add('click', { page, button_id: random() < 0.1 ? undefined : pick(BUTTONS) }, random() < 0.1);
          }
          if (random() < 0.05) add('custom', { page, event_name: 'video.play' });
          if (random() < 0.12) {
            const items = Array.from({ length: int(1, 3) }, () => {
              const p = pick(PRODUCTS);
              return { ...p, quantity: int(1, 3) };
            });
            const amount = Math.round(items.reduce((sum, i) => sum + i.price * i.quantity, 0) * 100) / 100;
            const order = { order_id: `${site}-order-${orderNo++}`, amount, currency: 'USD', payment_method: pick(['card', 'paypal']), items };
            add('purchase', { page, order });
            // the same order sent again later (a client retry with a new event_id): counted once
            if (random() < 0.2) add('purchase', { page, order: { ...order, amount: order.amount + 1 } });
          }
        }
        const end = random();
        if (end < 0.5) {
          const close = add('page_close');
          // Every fifth of these sessions also ends explicitly a second later: the last page view's time
          // ends at the first of the two. Made without drawing from the random stream, so the rest of
          // the data stays as it was.
          if (++closes % 5 === 0) {
            const at = (iso: string) => new Date(Date.parse(iso) + 1000).toISOString();
            const id = `ffffffff-0001-7000-8000-${(extraIds++).toString(16).padStart(12, '0')}`;
            events.push({ ...close, event_id: id, event_type: 'session_end', event_time: at(close.event_time), received_at: at(close.received_at) });
          }
        } else if (end < 0.7) add('session_end');
      }
    }
  }
  return events;
}
