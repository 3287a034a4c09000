// A small seeded PRNG (sfc32) so a simulation with --seed produces the same traffic every time.

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One of the items, chosen with the given weights. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T;
  /** One of the items, uniformly. */
  pick<T>(items: ReadonlyArray<T>): T;
  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number;
  /** A random (version 4 layout) UUID drawn from this source. */
  uuid(): string;
  /** `length` lower-case hex digits. */
  hex(length: number): string;
}

/** Seeds sfc32 from a string or number through a 32-bit FNV-1a hash + splitmix mixing. */
export function seededRandom(seed: string | number): Random {
  let h = 0x811c9dc5;
  for (const ch of String(seed)) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const split = () => {
    h = (h + 0x9e3779b9) >>> 0;
    let z = h;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const hex = (length: number): string => {
    let out = '';
    while (out.length < length) out += Math.floor(next() * 4294967296).toString(16).padStart(8, '0');
    return out.slice(0, length);
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    weighted: (items) => {
      const total = items.reduce((sum, [, w]) => sum + w, 0);
      if (!(total > 0)) throw new RangeError('weighted() needs a positive total weight');
      let r = next() * total;
      for (const [item, w] of items) {
        r -= w;
        if (r < 0) return item;
      }
      return items[items.length - 1][0];
    },
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick() needs at least one item');
      return items[Math.floor(next() * items.length)];
    },
    exponential: (mean) => -Math.log(1 - next()) * mean,
    uuid: () => {
      const h = hex(32);
      const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    hex,
  };
}
