import { createRateLimiter } from './rate-limiter';
import { parseWriteKeys } from './write-keys';

describe('write keys', () => {
  it('maps keys to sites, and without keys runs open on site "default"', () => {
    const keys = parseWriteKeys('shop:k1,blog:k2');
    expect([keys.open, keys.siteFor('k1'), keys.siteFor('k2'), keys.siteFor('k3'), keys.siteFor(undefined)]).toEqual([false, 'shop', 'blog', undefined, undefined]);
    const open = parseWriteKeys(undefined);
    expect([open.open, open.siteFor(undefined), open.siteFor('anything')]).toEqual([true, 'default', 'default']);
  });

  it('refuses a key listed twice', () => {
    expect(() => parseWriteKeys('a:k,b:k')).toThrow('twice');
  });
});

describe('rate limiter', () => {
  it('allows the limit per window and per key, then says how long to wait', () => {
    const limiter = createRateLimiter(2);
    const t = 120_000;
    expect([limiter.hit('a', t), limiter.hit('a', t + 1), limiter.hit('b', t + 2)]).toEqual([0, 0, 0]);
    expect(limiter.hit('a', t + 30_000)).toBe(30);
    expect(limiter.hit('a', t + 60_000)).toBe(0); // a new window
  });

  it('is off at 0', () => {
    const limiter = createRateLimiter(0);
    for (let i = 0; i < 100; i++) expect(limiter.hit('a')).toBe(0);
  });
});
