import { describe, expect, it } from '@jest/globals';
import { addDays, dayIn, intervalFor, isDay, isTimeZone, rangeDays, resolveRange, timeZoneOptions } from './date-range';

// 2024-03-01T02:30Z: still February 29 in New York, already March 1 in Tokyo.
const now = new Date('2024-03-01T02:30:00Z');

describe('date presets', () => {
  it('counts "today" in the chosen zone', () => {
    expect(resolveRange('today', 'UTC', now)).toEqual({ from: '2024-03-01', to: '2024-03-01' });
    expect(resolveRange('today', 'America/New_York', now)).toEqual({ from: '2024-02-29', to: '2024-02-29' });
    expect(resolveRange('today', 'Asia/Tokyo', now)).toEqual({ from: '2024-03-01', to: '2024-03-01' });
  });

  it('resolves yesterday, the last 7 and 30 days inclusive of today', () => {
    expect(resolveRange('yesterday', 'America/New_York', now)).toEqual({ from: '2024-02-28', to: '2024-02-28' });
    expect(resolveRange('last7', 'UTC', now)).toEqual({ from: '2024-02-24', to: '2024-03-01' });
    expect(resolveRange('last30', 'UTC', now)).toEqual({ from: '2024-02-01', to: '2024-03-01' });
  });

  it('resolves this month and last month, across a leap February and a year end', () => {
    expect(resolveRange('this_month', 'America/New_York', now)).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(resolveRange('last_month', 'UTC', now)).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(resolveRange('last_month', 'UTC', new Date('2025-01-15T12:00:00Z'))).toEqual({ from: '2024-12-01', to: '2024-12-31' });
  });

  it('takes custom days, swapped when backwards, and falls back to the last 7 days when malformed', () => {
    expect(resolveRange('custom', 'UTC', now, { from: '2024-01-10', to: '2024-01-20' })).toEqual({ from: '2024-01-10', to: '2024-01-20' });
    expect(resolveRange('custom', 'UTC', now, { from: '2024-01-20', to: '2024-01-10' })).toEqual({ from: '2024-01-10', to: '2024-01-20' });
    expect(resolveRange('custom', 'UTC', now, { from: '2024-02-30', to: '2024-03-01' })).toEqual(resolveRange('last7', 'UTC', now));
  });

  it('picks hourly buckets up to two days and daily ones beyond', () => {
    expect(intervalFor({ from: '2024-03-01', to: '2024-03-01' })).toBe('hour');
    expect(intervalFor({ from: '2024-02-29', to: '2024-03-01' })).toBe('hour');
    expect(intervalFor({ from: '2024-02-28', to: '2024-03-01' })).toBe('day');
  });
});

describe('day arithmetic', () => {
  it('adds days across month ends and DST changes without drifting', () => {
    expect(addDays('2024-03-31', 1)).toBe('2024-04-01');
    expect(addDays('2024-03-10', -1)).toBe('2024-03-09');
    expect(rangeDays({ from: '2024-03-09', to: '2024-03-11' })).toBe(3);
    expect(dayIn(new Date('2024-03-10T07:30:00Z'), 'America/Los_Angeles')).toBe('2024-03-09');
  });

  it('accepts only real calendar days and known zones', () => {
    expect(isDay('2024-02-29')).toBe(true);
    expect(isDay('2023-02-29')).toBe(false);
    expect(isDay('2024-2-1')).toBe(false);
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('offers the common zones plus the browser one, once', () => {
    const zones = timeZoneOptions('Asia/Kathmandu', 'UTC', 'Asia/Kathmandu');
    expect(zones.filter((z) => z === 'Asia/Kathmandu')).toHaveLength(1);
    expect(zones.filter((z) => z === 'UTC')).toHaveLength(1);
  });
});
