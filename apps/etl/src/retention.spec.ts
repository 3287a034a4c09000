import { retentionCutoff } from './retention';

describe('retentionCutoff', () => {
  it('is 00:00 UTC of today − N days, whatever the time of day', () => {
    expect(retentionCutoff(5, new Date('2026-03-10T23:59:59.999Z')).toISOString()).toBe('2026-03-05T00:00:00.000Z');
    expect(retentionCutoff(5, new Date('2026-03-10T00:00:00.000Z')).toISOString()).toBe('2026-03-05T00:00:00.000Z');
    expect(retentionCutoff(1, new Date('2026-03-01T12:00:00Z')).toISOString()).toBe('2026-02-28T00:00:00.000Z');
  });

  it('refuses anything but a whole number of days ≥ 1', () => {
    for (const days of [0, -1, 1.5, Number.NaN]) expect(() => retentionCutoff(days)).toThrow(RangeError);
  });
});
