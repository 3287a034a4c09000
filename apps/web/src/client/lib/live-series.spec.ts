import { describe, expect, it } from '@jest/globals';
import type { LiveEvent, LiveReply, LiveTick } from '../../shared/api-types';
import { applyTick, initialLiveState, parseTick, prependFeed, reconnectDelay, WINDOW_MINUTES } from './live-series';

const reply: LiveReply = {
  events_today: 1000,
  per_minute: [
    { minute: '2024-03-01T11:10:00.000Z', events: 5 },
    { minute: '2024-03-01T12:00:00.000Z', events: 7 },
  ],
  by_type: [
    { event_type: 'click', events: 10 },
    { event_type: 'page_view', events: 20 },
  ],
  top_users_last_hour: [],
  volume: [],
};

function event(id: string, type = 'page_view'): LiveEvent {
  return { event_id: id, event_type: type, site_id: 's', user_id: 'u', session_id: 'x', event_time: '2024-03-01T12:00:00Z', received_at: '2024-03-01T12:00:00Z', path: '/' };
}

function tick(at: string, n: number, recent: LiveEvent[] = [], byType: Record<string, number> = {}): LiveTick {
  return { type: 'tick', at, events_last_second: n, by_type_last_second: byType, events_since_start: 0, per_second: [1, 2, n], recent };
}

describe('live per-minute series', () => {
  const now = new Date('2024-03-01T12:00:30Z');

  it('starts with the last 60 minutes, zeros where /api/live had no row', () => {
    const s = initialLiveState(reply, now);
    expect(s.perMinute).toHaveLength(WINDOW_MINUTES);
    expect(s.perMinute[0].minute).toBe('2024-03-01T11:01:00.000Z');
    expect(s.perMinute.at(-1)).toEqual({ minute: '2024-03-01T12:00:00.000Z', events: 7 });
    expect(s.perMinute.find((p) => p.minute === '2024-03-01T11:10:00.000Z')?.events).toBe(5);
    expect(s.perMinute.filter((p) => p.events === 0)).toHaveLength(58);
    expect(s.byType[0].event_type).toBe('page_view');
  });

  it('adds a tick to its minute and to today', () => {
    const s = applyTick(initialLiveState(reply, now), tick('2024-03-01T12:00:31Z', 3, [], { click: 3 }));
    expect(s.perMinute.at(-1)?.events).toBe(10);
    expect(s.eventsToday).toBe(1003);
    expect(s.eventsSinceLoad).toBe(3);
    expect(s.byType).toEqual([
      { event_type: 'page_view', events: 20 },
      { event_type: 'click', events: 13 },
    ]);
  });

  it('moves the window forward when a tick falls in a new minute, dropping the oldest', () => {
    const s = applyTick(initialLiveState(reply, now), tick('2024-03-01T12:02:01Z', 4));
    expect(s.perMinute).toHaveLength(WINDOW_MINUTES);
    expect(s.perMinute[0].minute).toBe('2024-03-01T11:03:00.000Z');
    expect(s.perMinute.at(-2)).toEqual({ minute: '2024-03-01T12:01:00.000Z', events: 0 });
    expect(s.perMinute.at(-1)).toEqual({ minute: '2024-03-01T12:02:00.000Z', events: 4 });
    expect(s.perMinute.find((p) => p.minute === '2024-03-01T12:00:00.000Z')?.events).toBe(7);
  });

  it('keeps the feed newest first, without repeats, bounded', () => {
    let s = initialLiveState(reply, now);
    s = applyTick(s, tick('2024-03-01T12:00:31Z', 2, [event('b'), event('a')]));
    s = applyTick(s, tick('2024-03-01T12:00:32Z', 1, [event('c'), event('b')]));
    expect(s.feed.map((e) => e.event_id)).toEqual(['c', 'b', 'a']);
    expect(s.perSecond).toEqual([1, 2, 1]);
    expect(prependFeed([event('a')], [event('b'), event('c')], 2).map((e) => e.event_id)).toEqual(['b', 'c']);
  });
});

describe('socket frames and reconnects', () => {
  it('accepts ticks and refuses anything else', () => {
    expect(parseTick(JSON.stringify(tick('2024-03-01T12:00:31Z', 1)))?.events_last_second).toBe(1);
    expect(parseTick('{"type":"hello"}')).toBeUndefined();
    expect(parseTick('not json')).toBeUndefined();
    expect(parseTick(new ArrayBuffer(2))).toBeUndefined();
  });

  it('backs off exponentially with jitter up to 30 s', () => {
    expect(reconnectDelay(0, () => 0)).toBe(500);
    expect(reconnectDelay(0, () => 1)).toBe(1000);
    expect(reconnectDelay(3, () => 1)).toBe(8000);
    expect(reconnectDelay(10, () => 1)).toBe(30_000);
    expect(reconnectDelay(100, () => 0)).toBe(15_000);
  });
});
