// The traffic model: a pool of visitors, each with a device, browser, address and (for a share of
// them) a bot user agent. Events arrive on a simulated clock as a Poisson process at `rate` per
// second; each arrival advances one of the sessions in progress (about rate × think time of them
// at once, so a visitor acts every `think_time_seconds` on average). A session lands on a page
// (from a referrer, maybe a UTM campaign), views pages, scrolls, clicks buttons with their
// probabilities, maybe buys, and closes the page. A visitor who comes back within 30 minutes of
// their last event continues the same session; later, a new session starts (session_start).
//
// Pure and deterministic: the same config (seed included) and start time give the same events.

import { BOT_USER_AGENTS, USER_AGENTS, type DeviceType } from './catalog';
import type { PageConfig, SimulationConfig } from './config';
import { seededRandom, type Random } from './random';

/** An event as the simulator sends it (the canonical input shape of @clickstream/event-schema). */
export type SimEvent = Record<string, unknown> & { event_id: string };

export interface GeneratedEvent {
  /** 0-based position in the stream. */
  index: number;
  /** Simulated time of the event, ms since epoch. */
  timeMs: number;
  /** True for a deliberately invalid event (ingest must reject it). */
  malformed: boolean;
  /** For malformed events: what is wrong with it. */
  defect?: MalformedKind;
  event: SimEvent;
}

export interface Visitor {
  index: number;
  userId: string;
  bot: boolean;
  device: DeviceType | 'bot';
  userAgent: string;
  ip: string;
  lastEventMs?: number;
  sessionId?: string;
}

interface Session {
  visitor: Visitor;
  sessionId: string;
  queue: Array<(timeMs: number) => SimEvent>;
  page?: PageConfig;
  pageUrl?: string;
  pagesSeen: number;
  willPurchase: boolean;
  done: boolean;
}

export const MALFORMED_KINDS = [
  'missing_user_id',
  'scroll_depth_out_of_range',
  'bad_event_type',
  'purchase_without_order',
  'user_id_too_long',
  'session_id_not_a_string',
  'bad_client_time',
  'props_too_deep',
] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export interface EventGenerator {
  /** The next event of the stream. */
  next(): GeneratedEvent;
  /** Events made so far. */
  readonly count: number;
  /** Simulated ms since the start of the last event. */
  readonly elapsedMs: number;
  readonly startMs: number;
  /** The visitor with this pool index (made on first use). */
  visitor(index: number): Visitor;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A public-looking IPv4 address (no private, loopback, link-local, multicast or reserved ranges). */
function publicIp(r: Random): string {
  for (;;) {
    const a = r.int(1, 223);
    const b = r.int(0, 255);
    if (a === 10 || a === 127 || a === 0 || a === 100 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) continue;
    if (a === 198 && (b === 18 || b === 19)) continue;
    return `${a}.${b}.${r.int(0, 255)}.${r.int(1, 254)}`;
  }
}

export function createGenerator(config: SimulationConfig, options: { startMs?: number } = {}): EventGenerator {
  const startMs = options.startMs ?? config.startMs ?? Date.now();
  const rng = seededRandom(`${config.seed}/traffic`);
  const origin = `https://${config.site}`;
  const meanGapMs = 1000 / config.rate;
  const target = Math.max(1, Math.min(config.users, Math.round(config.rate * config.thinkTimeSeconds)));
  const visitors = new Map<number, Visitor>();
  const idle = new Int32Array(config.users);
  for (let i = 0; i < config.users; i++) idle[i] = i;
  let idleCount = config.users;
  const active: Session[] = [];
  const pageWeights = config.pages.map((p) => [p, p.weight] as const);
  const deviceWeights = (Object.entries(config.devices) as Array<[DeviceType, number]>).filter(([, w]) => w > 0);
  const referrerWeights = config.referrers.map((r) => [r.url, r.weight] as const);
  const campaignWeights = config.campaigns.map((c) => [c, c.weight] as const);
  const paymentWeights = config.paymentMethods.map((p) => [p.name, p.weight] as const);
  const checkoutPage: PageConfig = config.pages.find((p) => p.path === config.checkoutPath) ?? {
    path: config.checkoutPath,
    title: 'Checkout',
    weight: 0,
    buttons: [],
  };

  let clock = 0;
  let count = 0;
  let lastTime = startMs;

  function visitor(index: number): Visitor {
    let v = visitors.get(index);
    if (v) return v;
    const r = seededRandom(`${config.seed}/visitor/${index}`);
    const bot = r.chance(config.probabilities.bot);
    const device = bot ? 'bot' : r.weighted(deviceWeights);
    v = {
      index,
      userId: bot ? `bot_${r.hex(12)}` : `user_${r.hex(12)}`,
      bot,
      device,
      userAgent: device === 'bot' ? r.weighted(BOT_USER_AGENTS) : r.weighted(USER_AGENTS[device]),
      ip: publicIp(r),
    };
    visitors.set(index, v);
    return v;
  }

  function base(s: Session, type: string, timeMs: number): SimEvent {
    return {
      event_id: rng.uuid(),
      event_type: type,
      user_id: s.visitor.userId,
      session_id: s.sessionId,
      client_time: iso(timeMs),
      user_agent: s.visitor.userAgent,
      ip: s.visitor.ip,
    };
  }

  function pageOf(page: PageConfig, url: string, referrer: string | null | undefined) {
    return { url, path: page.path, title: page.title, ...(referrer ? { referrer } : {}) };
  }

  function nextPage(current: PageConfig | undefined): PageConfig {
    const others = pageWeights.filter(([p, w]) => p !== current && w > 0 && p.path !== config.checkoutPath);
    return rng.weighted(others.length ? others : pageWeights);
  }

  /** Queues the events of one page visit: view, scrolls, clicks, then what comes next. */
  function planVisit(s: Session, page: PageConfig, url: string, referrer: string | null | undefined): void {
    s.page = page;
    s.pagesSeen++;
    const pageField = pageOf(page, url, referrer);
    s.queue.push((t) => ({ ...base(s, 'page_view', t), page: pageField }));
    if (s.visitor.bot) return;
    if (rng.chance(config.probabilities.scroll)) {
      const steps = rng.int(1, 4);
      let depth = 0;
      for (let i = 0; i < steps && depth < 100; i++) {
        depth = Math.min(100, depth + rng.int(10, 40));
        const d = depth;
        s.queue.push((t) => ({ ...base(s, 'scroll', t), page: { url, path: page.path }, scroll_depth: d }));
      }
    }
    for (const button of page.buttons) {
      if (rng.chance(button.probability)) s.queue.push((t) => ({ ...base(s, 'click', t), page: { url, path: page.path }, button_id: button.id }));
    }
  }

  /** What happens after a page: the next page, checkout, or leaving. */
  function planAfter(s: Session): void {
    const v = s.visitor;
    const leaving = v.bot ? s.pagesSeen >= 2 && rng.chance(0.25) : rng.chance(config.probabilities.exit);
    if (leaving || s.pagesSeen >= 40) {
      if (s.willPurchase) {
        s.willPurchase = false;
        const url = `${origin}${checkoutPage.path}`;
        planVisit(s, checkoutPage, url, s.pageUrl);
        s.pageUrl = url;
        s.queue.push((t) => ({ ...base(s, 'purchase', t), page: { url, path: checkoutPage.path }, order: makeOrder() }));
      }
      if (!v.bot) {
        const page = s.page as PageConfig;
        const url = s.pageUrl as string;
        s.queue.push((t) => ({ ...base(s, 'page_close', t), page: { url, path: page.path } }));
      }
      s.done = true;
      return;
    }
    const page = nextPage(s.page);
    const url = `${origin}${page.path}`;
    planVisit(s, page, url, s.pageUrl);
    s.pageUrl = url;
  }

  function makeOrder() {
    const lines = rng.int(1, Math.min(3, config.products.length));
    const chosen = new Set<number>();
    while (chosen.size < lines) chosen.add(rng.int(0, config.products.length - 1));
    const items = [...chosen].map((i) => {
      const p = config.products[i];
      return { product_id: p.id, name: p.name, category: p.category, price: p.price, quantity: rng.weighted([[1, 70], [2, 20], [3, 10]] as const) };
    });
    const amount = Math.round(items.reduce((sum, it) => sum + it.price * it.quantity * 100, 0)) / 100;
    return { order_id: `ord_${rng.hex(16)}`, amount, currency: 'USD', payment_method: rng.weighted(paymentWeights), items };
  }

  function startSession(v: Visitor, timeMs: number): Session {
    const continues = v.sessionId !== undefined && v.lastEventMs !== undefined && timeMs - v.lastEventMs <= config.sessionTimeoutMs;
    const s: Session = {
      visitor: v,
      sessionId: continues ? (v.sessionId as string) : `sess_${rng.hex(16)}`,
      queue: [],
      pagesSeen: 0,
      willPurchase: !v.bot && config.products.length > 0 && rng.chance(config.probabilities.purchase),
      done: false,
    };
    v.sessionId = s.sessionId;
    const landing = v.bot ? nextPage(undefined) : rng.weighted(pageWeights.filter(([p]) => p.path !== config.checkoutPath));
    let url = `${origin}${landing.path}`;
    let referrer: string | null | undefined;
    if (!continues) {
      referrer = rng.weighted(referrerWeights);
      if (!v.bot && campaignWeights.length && rng.chance(config.probabilities.campaign)) {
        const c = rng.weighted(campaignWeights);
        const q = new URLSearchParams({ utm_source: c.source, utm_medium: c.medium, utm_campaign: c.campaign });
        if (c.term) q.set('utm_term', c.term);
        if (c.content) q.set('utm_content', c.content);
        url += `?${q.toString()}`;
      }
      if (!v.bot) {
        const pageField = pageOf(landing, url, referrer);
        s.queue.push((t) => ({ ...base(s, 'session_start', t), page: pageField }));
      }
    }
    planVisit(s, landing, url, referrer);
    s.pageUrl = url;
    return s;
  }

  function takeIdle(): Visitor | undefined {
    if (idleCount === 0) return undefined;
    const i = rng.int(0, idleCount - 1);
    const index = idle[i];
    idle[i] = idle[idleCount - 1];
    idleCount--;
    return visitor(index);
  }

  function release(s: Session): void {
    idle[idleCount++] = s.visitor.index;
    const at = active.indexOf(s);
    active[at] = active[active.length - 1];
    active.pop();
  }

  function malformed(timeMs: number): { event: SimEvent; kind: MalformedKind } {
    const v = visitor(rng.int(0, config.users - 1));
    const kind = rng.pick(MALFORMED_KINDS);
    const good: SimEvent = {
      event_id: rng.uuid(),
      event_type: 'page_view',
      user_id: v.userId,
      session_id: v.sessionId ?? `sess_${rng.hex(16)}`,
      client_time: iso(timeMs),
      page: { url: `${origin}/`, path: '/' },
      user_agent: v.userAgent,
      ip: v.ip,
      props: { simulator_defect: kind },
    };
    switch (kind) {
      case 'missing_user_id':
        delete good['user_id'];
        break;
      case 'scroll_depth_out_of_range':
        Object.assign(good, { event_type: 'scroll', scroll_depth: 100 + rng.int(1, 400) });
        break;
      case 'bad_event_type':
        good['event_type'] = `${rng.int(0, 9)}-not a type`;
        break;
      case 'purchase_without_order':
        good['event_type'] = 'purchase';
        break;
      case 'user_id_too_long':
        good['user_id'] = `user_${'x'.repeat(200)}`;
        break;
      case 'session_id_not_a_string':
        good['session_id'] = { id: rng.int(1, 1000) };
        break;
      case 'bad_client_time':
        good['client_time'] = 'yesterday at noon';
        break;
      case 'props_too_deep':
        good['props'] = { simulator_defect: kind, a: { b: { c: { d: { e: { f: { g: 1 } } } } } } };
        break;
    }
    return { event: good, kind };
  }

  return {
    get count() {
      return count;
    },
    get elapsedMs() {
      return lastTime - startMs;
    },
    startMs,
    visitor,
    next(): GeneratedEvent {
      clock += rng.exponential(meanGapMs);
      const timeMs = Math.max(lastTime, startMs + Math.round(clock));
      lastTime = timeMs;
      const index = count++;
      if (config.malformedRate > 0 && rng.chance(config.malformedRate)) {
        const { event, kind } = malformed(timeMs);
        return { index, timeMs, malformed: true, defect: kind, event };
      }
      for (;;) {
        // New visits arrive in proportion to the room left, so the site fills up gradually and
        // a new visit starts about as often as one ends.
        let s: Session | undefined;
        if (active.length < target && idleCount > 0 && (active.length === 0 || rng.chance((target - active.length) / target))) {
          s = startSession(takeIdle() as Visitor, timeMs);
          active.push(s);
        } else {
          s = rng.pick(active);
        }
        const v = s.visitor;
        // The 30-minute rule, kept even when a session waited long for its turn.
        if (v.lastEventMs !== undefined && timeMs - v.lastEventMs > config.sessionTimeoutMs) {
          const at = active.indexOf(s);
          v.sessionId = undefined;
          s = startSession(v, timeMs);
          active[at] = s;
        }
        if (s.queue.length === 0 && !s.done) planAfter(s);
        const make = s.queue.shift();
        if (!make) {
          release(s);
          continue;
        }
        const event = make(timeMs);
        v.lastEventMs = timeMs;
        if (s.queue.length === 0 && s.done) release(s);
        return { index, timeMs, malformed: false, event };
      }
    },
  };
}

/** The first `count` events of a simulation (convenience for tests and tools). */
export function generateEvents(config: SimulationConfig, count: number, options: { startMs?: number } = {}): GeneratedEvent[] {
  const g = createGenerator(config, options);
  return Array.from({ length: count }, () => g.next());
}
