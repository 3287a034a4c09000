import { describe, expect, it } from '@jest/globals';
import { formatBucket, formatBytes, formatChange, formatCompact, formatDateTime, formatDay, formatDuration, formatMoney, formatNumber, formatPercent, MISSING } from './format';

describe('figures', () => {
  it('writes numbers with thousands separators', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(12.345)).toBe('12.35');
    expect(formatNumber(null)).toBe(MISSING);
    expect(formatMoney(1234.5)).toBe('1,234.50');
  });

  it('writes durations as 1m 05s', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59.4)).toBe('59s');
    expect(formatDuration(65)).toBe('1m 05s');
    expect(formatDuration(3723)).toBe('1h 02m');
    expect(formatDuration(undefined)).toBe(MISSING);
  });

  it('writes percentages and bytes', () => {
    expect(formatPercent(42.456)).toBe('42.5%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(formatCompact(1500)).toBe('1.5k');
    expect(formatCompact(2_000_000)).toBe('2M');
  });

  it('compares with the previous period, with bounce rate rising as bad news', () => {
    expect(formatChange(150, 100)).toEqual({ text: '+50.0%', trend: 'up', tone: 'good' });
    expect(formatChange(90, 100)).toEqual({ text: '\u221210.0%', trend: 'down', tone: 'bad' });
    expect(formatChange(60, 50, false)).toEqual({ text: '+20.0%', trend: 'up', tone: 'bad' });
    expect(formatChange(5, 0).text).toBe('new');
    expect(formatChange(0, 0)).toEqual({ text: '0.0%', trend: 'flat', tone: 'neutral' });
  });
});

describe('dates in the chosen zone', () => {
  it('shows instants in tz and days as they are', () => {
    expect(formatDateTime('2024-03-01T02:30:05Z', 'America/New_York')).toBe('Feb 29, 21:30:05');
    expect(formatDateTime('2024-03-01T02:30:05Z', 'UTC')).toBe('Mar 1, 02:30:05');
    expect(formatDay('2024-03-01')).toBe('Mar 1');
    expect(formatBucket('2024-03-01T00:00:00Z', 'hour', 'Asia/Tokyo')).toBe('Mar 1, 09:00');
    expect(formatBucket('2024-03-01', 'day', 'Asia/Tokyo')).toBe('Mar 1');
  });
});
