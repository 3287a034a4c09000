import { normalize, validateCanonicalEvent, type EventOrder } from '@clickstream/event-schema';
import { BOT_USER_AGENTS } from './catalog';
import { defaultConfig, SESSION_TIMEOUT_MS, type SimulationConfig } from './config';
import { createGenerator, generateEvents, MALFORMED_KINDS, type GeneratedEvent } from './generator';

const START = Date.parse('2026-03-01T00:00:00Z');
const config = (over: Partial<SimulationConfig> = {}): SimulationConfig => ({ ...defaultConfig(), seed: 'spec', ...over });
const botAgents = new Set(BOT_USER_AGENTS.map(([ua]) => ua));

describe('generator', () => {
  it('is deterministic: same seed and start → the same events; another seed → others', () => {
    const a = generateEvents(config({ malformedRate: 0.05 }), 3000, { startMs: START });
    const b = generateEvents(config({ malformedRate: 0.05 }), 3000, { startMs: START });
    expect(b).toEqual(a);
    const c = generateEvents(config({ seed: 'other', malformedRate: 0.05 }), 3000, { startMs: START });
    expect(c.map((g) => g.event.event_id)).not.toEqual(a.map((g) => g.event.event_id));
    expect(new Set([...a, ...c].map((g) => g.event.event_id)).size).toBe(6000);
    // times are relative to the start: a later start shifts them and changes nothing else
    const later = generateEvents(config({ malformedRate: 0.05 }), 3000, { startMs: START + 3_600_000 });
    expect(later.map((g) => g.timeMs - 3_600_000)).toEqual(a.map((g) => g.timeMs));
    expect(later.map((g) => g.event.event_id)).toEqual(a.map((g) => g.event.event_id));
  });

  it('runs the simulated clock at the configured rate', () => {
    const events = generateEvents(config({ rate: 50 }), 20_000, { startMs: START });
    const seconds = (events[events.length - 1].timeMs - START) / 1000;
    expect(20_000 / seconds).toBeGreaterThan(47);
    expect(20_000 / seconds).toBeLessThan(53);
    expect(events.every((g, i) => i === 0 || g.timeMs >= events[i - 1].timeMs)).toBe(true);
  });

  it('makes only events that normalize into valid canonical events, with every event type, device and traffic source', () => {
    const events = generateEvents(config({ users: 2000 }), 10_000, { startMs: START });
    const types = new Set<string>();
    const devices = new Set<string>();
    const browsers = new Set<string>();
    const problems: string[] = [];
    let utm = 0;
    let referred = 0;
    for (const g of events) {
      const r = normalize(g.event, { receivedAt: g.timeMs + 500, siteId: 'default', sentAt: new Date(g.timeMs + 500).toISOString() });
      if (g.malformed || !r.ok) {
        problems.push(`${JSON.stringify(g.event)}: ${r.ok ? 'malformed' : JSON.stringify(r.errors)}`);
        continue;
      }
      const e = r.event;
      if (!validateCanonicalEvent(e).ok) problems.push(`not canonical: ${JSON.stringify(e)}`);
      if (e.event_id !== g.event.event_id || e.event_time !== new Date(g.timeMs).toISOString()) problems.push(`id/time changed: ${JSON.stringify(e)}`);
      types.add(e.event_type);
      if (e.context?.utm) utm++;
      if (e.context?.referrer_domain) referred++;
      const ua = String(g.event['user_agent']);
      devices.add(/iPad|SM-X|Lenovo TB/.test(ua) ? 'tablet' : /Mobile|iPhone/.test(ua) ? 'mobile' : botAgents.has(ua) ? 'bot' : 'desktop');
      browsers.add(/SamsungBrowser/.test(ua) ? 'samsung' : /Edg\//.test(ua) ? 'edge' : /Firefox/.test(ua) ? 'firefox' : /Chrome|CriOS/.test(ua) ? 'chrome' : /Safari/.test(ua) ? 'safari' : 'other');
      if (e.event_type === 'purchase') {
        const order = e.order as EventOrder;
        const items = order.items ?? [];
        const sum = Math.round(items.reduce((t, it) => t + it.price * it.quantity, 0) * 100) / 100;
        if (!items.length || order.amount !== sum || !order.payment_method) problems.push(`order: ${JSON.stringify(order)}`);
        for (const it of items) if (!it.product_id || !it.name || !it.category || !(it.price > 0) || !(it.quantity >= 1)) problems.push(`item: ${JSON.stringify(it)}`);
      }
      if (e.event_type === 'scroll' && !((e.scroll_depth ?? 0) > 0)) problems.push(`scroll: ${JSON.stringify(e)}`);
      if (e.event_type === 'click' && !e.button_id) problems.push(`click: ${JSON.stringify(e)}`);
    }
    expect(problems).toEqual([]);
    expect([...types].sort()).toEqual(['click', 'page_close', 'page_view', 'purchase', 'scroll', 'session_start']);
    expect([...devices].sort()).toEqual(['bot', 'desktop', 'mobile', 'tablet']);
    expect(browsers.size).toBeGreaterThanOrEqual(5);
    expect(utm).toBeGreaterThan(0);
    expect(referred).toBeGreaterThan(0);
  });

  it('makes malformed events at the configured share, each of which ingest would refuse', () => {
    const events = generateEvents(config({ malformedRate: 0.1 }), 20_000, { startMs: START });
    const bad = events.filter((g) => g.malformed);
    expect(bad.length / events.length).toBeGreaterThan(0.09);
    expect(bad.length / events.length).toBeLessThan(0.11);
    expect(new Set(bad.map((g) => g.defect))).toEqual(new Set(MALFORMED_KINDS));
    const wrong = events.filter((g) => normalize(g.event, { receivedAt: g.timeMs, siteId: 'default' }).ok === g.malformed);
    expect(wrong).toEqual([]);
    expect(bad.every((g) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(g.event.event_id))).toBe(true);
  });

  it('has a share of bot visitors near the configured probability, and bots only view pages', () => {
    const g = createGenerator(config({ users: 20_000, probabilities: { ...defaultConfig().probabilities, bot: 0.1 } }), { startMs: START });
    let bots = 0;
    for (let i = 0; i < 20_000; i++) if (g.visitor(i).bot) bots++;
    expect(bots / 20_000).toBeGreaterThan(0.09);
    expect(bots / 20_000).toBeLessThan(0.11);
    const botTypes = new Set<unknown>();
    for (let i = 0; i < 20_000; i++) {
      const e = g.next().event;
      if (botAgents.has(String(e['user_agent']))) botTypes.add(e.event_type);
    }
    expect([...botTypes]).toEqual(['page_view']);
  });

  it('ends about the configured share of human sessions with a purchase', () => {
    const cfg = config({ users: 200_000, rate: 100, probabilities: { ...defaultConfig().probabilities, purchase: 0.2, bot: 0 } });
    const events = generateEvents(cfg, 100_000, { startMs: START });
    const started = new Set<string>();
    const bought = new Set<string>();
    const closed = new Set<string>();
    for (const { event } of events) {
      if (event.event_type === 'session_start') started.add(String(event.session_id));
      if (event.event_type === 'purchase') bought.add(String(event.session_id));
      if (event.event_type === 'page_close') closed.add(String(event.session_id));
    }
    const finished = [...started].filter((s) => closed.has(s));
    expect(finished.length).toBeGreaterThan(2000);
    const share = finished.filter((s) => bought.has(s)).length / finished.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
  });

  it('keeps the 30-minute inactivity rule: a session never has a 30-minute gap, a visitor back after one gets a new session', () => {
    // A small pool at a slow rate: visitors come back, some sooner and some later than 30 minutes.
    const cfg = config({ users: 40, rate: 0.05, thinkTimeSeconds: 60 });
    const events = generateEvents(cfg, 6000, { startMs: START }).map((g: GeneratedEvent) => g.event);
    const lastOfSession = new Map<string, number>();
    const lastOfUser = new Map<string, { t: number; session: string }>();
    let continued = 0;
    let renewed = 0;
    for (const e of events) {
      const t = Date.parse(String(e['client_time']));
      const sid = String(e.session_id);
      const uid = String(e.user_id);
      const prev = lastOfSession.get(sid);
      if (prev !== undefined) expect(t - prev).toBeLessThanOrEqual(SESSION_TIMEOUT_MS);
      const u = lastOfUser.get(uid);
      if (u) {
        if (t - u.t > SESSION_TIMEOUT_MS) {
          expect(sid).not.toBe(u.session);
          renewed++;
        } else if (sid === u.session && t - u.t > 5 * 60_000) continued++;
      }
      lastOfSession.set(sid, t);
      lastOfUser.set(uid, { t, session: sid });
    }
    expect(renewed).toBeGreaterThan(10);
    expect(continued).toBeGreaterThan(10);
    // one user, one session at a time: session ids are never shared by users
    const owner = new Map<string, string>();
    for (const e of events) {
      const o = owner.get(String(e.session_id));
      if (o) expect(e.user_id).toBe(o);
      owner.set(String(e.session_id), String(e.user_id));
    }
  });
});
