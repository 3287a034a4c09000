import { minuteOf, rollUpByMinute } from './minute-rollup';

const event = (site: string, user: string, type: string, time: string) => ({ site_id: site, user_id: user, event_type: type, event_time: time });

describe('rollUpByMinute', () => {
  it('counts per site, minute, user and event type', () => {
    const rows = rollUpByMinute([
      event('a', 'u1', 'click', '2026-03-01T10:00:01.000Z'),
      event('a', 'u1', 'click', '2026-03-01T10:00:59.999Z'),
      event('a', 'u1', 'click', '2026-03-01T10:01:00.000Z'),
      event('a', 'u1', 'page_view', '2026-03-01T10:00:30.000Z'),
      event('a', 'u2', 'click', '2026-03-01T10:00:30.000Z'),
      event('b', 'u1', 'click', '2026-03-01T10:00:30.000Z'),
    ]);
    const summary = rows.map((r) => `${r.site_id} ${r.minute.toISOString()} ${r.user_id} ${r.event_type} ${r.count}`).sort();
    expect(summary).toEqual([
      'a 2026-03-01T10:00:00.000Z u1 click 2',
      'a 2026-03-01T10:00:00.000Z u1 page_view 1',
      'a 2026-03-01T10:00:00.000Z u2 click 1',
      'a 2026-03-01T10:01:00.000Z u1 click 1',
      'b 2026-03-01T10:00:00.000Z u1 click 1',
    ]);
  });

  it('keeps the total: the counts add up to the number of events', () => {
    const events = Array.from({ length: 1000 }, (_, i) =>
      event(`s${i % 3}`, `u${i % 7}`, i % 2 ? 'click' : 'page_view', new Date(Date.UTC(2026, 0, 1) + i * 7919).toISOString()),
    );
    expect(rollUpByMinute(events).reduce((n, r) => n + r.count, 0)).toBe(1000);
  });

  it('truncates to the minute, also before 1970', () => {
    expect(minuteOf('2026-03-01T10:00:59.999Z').toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(minuteOf('1969-12-31T23:59:30.500Z').toISOString()).toBe('1969-12-31T23:59:00.000Z');
  });
});
