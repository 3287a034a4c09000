import { seededRandom } from './random';

describe('seededRandom', () => {
  it('repeats exactly for the same seed and differs for another', () => {
    const run = (seed: string | number) => {
      const r = seededRandom(seed);
      return Array.from({ length: 50 }, () => r.next());
    };
    expect(run('demo')).toEqual(run('demo'));
    expect(run('demo')).not.toEqual(run('demo2'));
    expect(run(42)).toEqual(run('42'));
  });

  it('stays in range and follows the weights', () => {
    const r = seededRandom(7);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 30_000; i++) {
      const v = r.next();
      expect(v >= 0 && v < 1).toBe(true);
      counts[r.weighted([['a', 1], ['b', 2], ['c', 7]] as const)]++;
    }
    expect(counts.a / 30_000).toBeCloseTo(0.1, 1);
    expect(counts.b / 30_000).toBeCloseTo(0.2, 1);
    expect(counts.c / 30_000).toBeCloseTo(0.7, 1);
    const ints = new Set(Array.from({ length: 1000 }, () => r.int(1, 6)));
    expect([...ints].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses weights that add up to nothing', () => {
    expect(() => seededRandom(1).weighted([['x', 0]])).toThrow(RangeError);
  });
});
