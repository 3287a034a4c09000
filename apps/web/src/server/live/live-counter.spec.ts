// The live feed's counting without Kafka: slots, per-type and per-site counts, the 60-slot window,
// and the recent events sent once, newest first.

import { normalize, type CanonicalEvent } from '@clickstream/event-schema';
import type { LiveEvent } from '../../shared/api-types';
import { LiveCounter, toLiveEvent } from './live-counter';

let n = 0;
function event(site: string, type: string): LiveEvent {
  n++;
  return {
    event_id: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    event_type: type,
    event_name: null,
    site_id: site,
    user_id: `u${n}`,
    session_id: `s${n}`,
    event_time: '2026-03-01T10:00:00.000Z',
    received_at: '2026-03-01T10:00:00.100Z',
    path: '/',
    button_id: null,
    country: null,
    device_type: null,
  };
}

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);

describe('LiveCounter', () => {
  it('counts the events of each slot by type, with the 60-slot window oldest first', () => {
    const counter = new LiveCounter();
    counter.record(event('a', 'page_view'));
    counter.record(event('a', 'click'));
    counter.record(event('b', 'page_view'));
    const first = counter.tick(T0).view();
    expect(first).toMatchObject({
      type: 'tick',
      at: new Date(T0).toISOString(),
      events_last_second: 3,
      by_type_last_second: { page_view: 2, click: 1 },
      events_since_start: 3,
    });
    expect(first.per_second).toHaveLength(60);
    expect(first.per_second.slice(0, 59).every((v) => v === 0)).toBe(true);
    expect(first.per_second[59]).toBe(3);

    counter.record(event('a', 'scroll'));
    const second = counter.tick(T0 + 1000).view();
    expect(second.events_last_second).toBe(1);
    expect(second.by_type_last_second).toEqual({ scroll: 1 });
    expect(second.events_since_start).toBe(4);
    expect(second.per_second.slice(-2)).toEqual([3, 1]);

    const quiet = counter.tick(T0 + 2000).view();
    expect(quiet.events_last_second).toBe(0);
    expect(quiet.by_type_last_second).toEqual({});
    expect(quiet.per_second.slice(-3)).toEqual([3, 1, 0]);
  });

  it('drops slots older than the window', () => {
    const counter = new LiveCounter();
    counter.record(event('a', 'click'));
    counter.tick(T0);
    for (let i = 1; i < 60; i++) counter.tick(T0 + i * 1000);
    expect(counter.tick(T0 + 59_000).view().per_second.reduce((s, v) => s + v, 0)).toBe(0);
    const counter2 = new LiveCounter();
    counter2.record(event('a', 'click'));
    counter2.tick(T0);
    for (let i = 1; i < 59; i++) counter2.tick(T0 + i * 1000);
    const last = counter2.tick(T0 + 59_000).view();
    expect(last.per_second[0]).toBe(1);
    expect(last.events_since_start).toBe(1);
  });

  it('filters by site: counts, totals and recent events of that site only', () => {
    const counter = new LiveCounter();
    const a1 = event('a', 'page_view');
    const b1 = event('b', 'click');
    const a2 = event('a', 'click');
    for (const e of [a1, b1, a2]) counter.record(e);
    const frame = counter.tick(T0);
    const siteA = frame.view({ site: 'a' });
    expect(siteA.events_last_second).toBe(2);
    expect(siteA.by_type_last_second).toEqual({ page_view: 1, click: 1 });
    expect(siteA.events_since_start).toBe(2);
    expect(siteA.per_second[59]).toBe(2);
    expect(siteA.recent.map((e) => e.event_id)).toEqual([a2.event_id, a1.event_id]);
    expect(frame.view({ site: 'b' }).recent).toEqual([b1]);
    const none = frame.view({ site: 'c' });
    expect(none).toMatchObject({ events_last_second: 0, by_type_last_second: {}, events_since_start: 0, recent: [] });
    expect(frame.view().recent.map((e) => e.event_id)).toEqual([a2.event_id, b1.event_id, a1.event_id]);
  });

  it('sends each recent event once, newest first, at most recentLimit per tick', () => {
    const counter = new LiveCounter({ recentLimit: 5 });
    const events = Array.from({ length: 12 }, (_, i) => event(i % 2 === 0 ? 'a' : 'b', 'page_view'));
    for (const e of events) counter.record(e);
    const frame = counter.tick(T0);
    expect(frame.view().recent.map((e) => e.event_id)).toEqual(
      events
        .slice(-5)
        .reverse()
        .map((e) => e.event_id),
    );
    // per site too: a busy site does not crowd out a quiet one's events
    expect(frame.view({ site: 'a' }).recent).toHaveLength(5);
    expect(frame.view({ site: 'a' }).recent.every((e) => e.site_id === 'a')).toBe(true);
    expect(frame.view().events_last_second).toBe(12);
    // the frame is a snapshot: events recorded after the tick belong to the next one
    counter.record(event('a', 'click'));
    expect(frame.view().events_since_start).toBe(12);
    const next = counter.tick(T0 + 1000).view();
    expect(next.recent).toHaveLength(1);
    expect(next.events_since_start).toBe(13);
  });

  it('trims a canonical event to the live fields', () => {
    const result = normalize(
      { event_type: 'click', user_id: 'u1', session_id: 's1', button_id: 'buy', page: { url: 'https://shop.example/pricing?x=1' } },
      { receivedAt: '2026-03-01T10:00:00.000Z', siteId: 'site_a' },
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const e: CanonicalEvent = { ...result.event, context: { ...result.event.context, country: 'DE', device_type: 'mobile' } };
    expect(toLiveEvent(e)).toEqual({
      event_id: e.event_id,
      event_type: e.event_type,
      event_name: null,
      site_id: 'site_a',
      user_id: e.user_id,
      session_id: e.session_id,
      event_time: e.event_time,
      received_at: e.received_at,
      path: '/pricing',
      button_id: 'buy',
      country: 'DE',
      device_type: 'mobile',
    });
  });
});
