import { isoString } from './iso-time';

describe('isoString', () => {
  it('matches Date#toISOString across days, edges and random instants', () => {
    const samples = [0, 1, 999, 86_399_999, 86_400_000, -1, -86_400_001, Date.UTC(2026, 1, 28, 23, 59, 59, 999), Date.UTC(2028, 1, 29, 12)];
    for (let i = 0; i < 5000; i++) samples.push(Math.floor(Math.random() * 253_402_300_799_999));
    for (const ms of samples) expect(isoString(ms)).toBe(new Date(ms).toISOString());
  });

  it('falls back to toISOString outside years 0–9999', () => {
    const far = 8.64e15;
    expect(isoString(far)).toBe(new Date(far).toISOString());
  });
});
