import { describe, expect, it } from '@jest/globals';
import { parseSteps, serializeSteps, validateSteps } from './funnel-steps';

describe('funnel steps', () => {
  it('serialises steps with and without values', () => {
    expect(serializeSteps([
      { eventType: 'page_view', value: '/' },
      { eventType: 'click', value: ' signup ' },
      { eventType: 'purchase', value: '' },
    ])).toBe('page_view:/,click:signup,purchase');
  });

  it('parses at the first colon only', () => {
    expect(parseSteps('page_view:/a:b,custom:video.play')).toEqual([
      { eventType: 'page_view', value: '/a:b' },
      { eventType: 'custom', value: 'video.play' },
    ]);
  });

  it('round-trips', () => {
    const s = 'page_view:/pricing,click:signup,session_end';
    expect(serializeSteps(parseSteps(s) ?? [])).toBe(s);
  });

  it('refuses fewer than 2 or more than 8 steps, unknown types and commas in values', () => {
    expect(parseSteps('page_view')).toBeUndefined();
    expect(parseSteps(Array(9).fill('click').join(','))).toBeUndefined();
    expect(parseSteps('page_view,teleport')).toBeUndefined();
    expect(parseSteps('')).toBeUndefined();
    expect(validateSteps([{ eventType: 'click', value: 'a,b' }, { eventType: 'purchase', value: '' }])).toMatch(/comma/);
    expect(validateSteps([{ eventType: 'click', value: '' }, { eventType: 'purchase', value: '' }])).toBeNull();
  });
});
